// Run as its own process by wasmThreads.test.ts: trains a step on threaded wasm, prints the thread
// count, and must then exit by itself (pthread workers must not hold the event loop).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/main/engine/backend';

const info = await initBackend('wasm', { wasmThreads: 2, scratchDir: process.argv[2] });
const x = tf.randomUniform([8, 16, 16, 4]);
const w = tf.variable(tf.randomUniform([3, 3, 4, 8]));
tf.train.sgd(0.1).minimize(() =>
  tf
    .conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')
    .square()
    .mean(),
);
console.log(info.threads);
