// Run as its own process by wasmThreads.test.ts with a thread count: computes the training gradients of
// a conv → pool layer on threaded (or not) wasm and prints how many threads PruneLab's SIMD kernels used
// and a hash of the gradients' bytes.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { initBackend } from '../../../src/main/engine/backend';
import { simdKernelsOf } from '../../../src/main/engine/kernels/simd/simdModule';

const threads = Number(process.argv[3]);
await initBackend('wasm', { wasmThreads: threads, scratchDir: process.argv[2] });
const grads = tf.tidy(() => {
  const x = tf.randomUniform([32, 14, 14, 16], -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, 16, 32], -1, 1, 'float32', 2) as tf.Tensor4D;
  const g = tf.randomUniform([32, 6, 6, 32], -1, 1, 'float32', 3);
  return tf.grads((a, b) =>
    tf
      .maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid')), 2, 2, 'valid')
      .mul(g)
      .sum(),
  )([x, w]);
});
const hash = createHash('sha256');
for (const t of grads) hash.update(Buffer.from((t.dataSync() as Float32Array).buffer));
console.log(JSON.stringify({ threads: simdKernelsOf(tf.backend()).threads, hash: hash.digest('hex') }));
