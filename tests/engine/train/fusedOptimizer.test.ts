import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { createOptimizer } from '../../../src/main/engine/train/optimizers';

beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
});

const bits = (t: tf.Tensor) => Buffer.from(t.dataSync().buffer);

describe('optimizer step as one pass on wasm', () => {
  for (const name of ['adam', 'sgd'] as const) {
    it(`${name}: same bits as the tensor ops, step after step, with a changing rate`, () => {
      // sizes with a remainder after groups of four, like a bias of 10
      const make = () => [
        tf.variable(tf.randomUniform([3, 3, 1, 6], -1, 1, 'float32', 3)),
        tf.variable(tf.randomUniform([10], -1, 1, 'float32', 4)),
      ];
      const fusedVars = make();
      const opVars = make();
      const fused = createOptimizer(fusedVars, { name, learningRate: 0.01, momentum: 0.9 });
      const ops = createOptimizer(opVars, { name, learningRate: 0.01, momentum: 0.9, fused: false });
      const before = tf.memory().numTensors;
      try {
        for (let step = 0; step < 25; step++) {
          const grads = fusedVars.map((v, i) =>
            tf.randomUniform(v.shape, -1, 1, 'float32', 100 + 7 * step + i),
          );
          const rate = 0.01 * Math.cos(step / 10);
          fused.apply(grads, rate);
          ops.apply(grads, rate);
          tf.dispose(grads);
        }
        expect(tf.memory().numTensors).toBe(before);
        fusedVars.forEach((v, i) => expect(bits(v).equals(bits(opVars[i]!))).toBe(true));
        fused
          .getState()
          .slots.forEach((list, k) =>
            list.forEach((t, i) => expect(bits(t).equals(bits(ops.getState().slots[k]![i]!))).toBe(true)),
          );
        expect(fused.getState().step).toBe(25);
        // and the weights did move
        const fresh = make();
        expect(bits(fusedVars[0]!).equals(bits(fresh[0]!))).toBe(false);
        tf.dispose(fresh);
      } finally {
        fused.dispose();
        ops.dispose();
        tf.dispose([...fusedVars, ...opVars]);
      }
    });
  }
});
