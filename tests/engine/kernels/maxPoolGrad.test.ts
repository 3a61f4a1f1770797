import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';

beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
});

interface Case {
  xShape: [number, number, number, number];
  pool: number;
  stride: number;
  pad: 'same' | 'valid';
}

const cases: Case[] = [
  { xShape: [2, 8, 8, 3], pool: 2, stride: 2, pad: 'valid' },
  { xShape: [3, 10, 10, 8], pool: 2, stride: 2, pad: 'valid' }, // the vector-select path: 2×2, stride 2, C % 4 = 0
  { xShape: [2, 11, 9, 12], pool: 2, stride: 2, pad: 'valid' }, // the same with rows and columns no window covers
  { xShape: [2, 9, 7, 4], pool: 2, stride: 2, pad: 'valid' }, // odd sizes: last row/column never pooled
  { xShape: [2, 9, 7, 4], pool: 2, stride: 2, pad: 'same' },
  { xShape: [1, 9, 9, 2], pool: 3, stride: 2, pad: 'same' }, // overlapping windows
  { xShape: [1, 6, 6, 2], pool: 3, stride: 1, pad: 'valid' },
];

/** Seeded values with many exact ties (as after a ReLU), so the choice among equal maxima matters. */
function tiedValues(n: number, seed: number): Float32Array {
  const values = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    values[i] = u < 0.4 ? 0 : Math.round(u * 8) / 8;
  }
  return values;
}

function poolGradient(c: Case): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(
      tiedValues(
        c.xShape.reduce((a, b) => a * b),
        5,
      ),
      c.xShape,
    );
    const outShape = tf.maxPool(x, c.pool, c.stride, c.pad).shape;
    const upstream = tf.tensor(
      tiedValues(
        outShape.reduce((a, b) => a * b),
        6,
      ).map((v, i) => v + i * 1e-3),
      outShape,
    );
    const dx = tf.grad((xx: tf.Tensor) =>
      tf
        .maxPool(xx as tf.Tensor4D, c.pool, c.stride, c.pad)
        .mul(upstream)
        .sum(),
    )(x);
    return dx.dataSync() as Float32Array;
  });
}

describe('wasm MaxPoolGrad', () => {
  for (const c of cases) {
    it(`matches cpu exactly: ${c.pool}×${c.pool} pool, stride ${c.stride}, ${c.pad}, x ${c.xShape.join('×')}`, async () => {
      await tf.setBackend('cpu');
      const expected = poolGradient(c);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = poolGradient(c);
      expect(tf.memory().numTensors).toBe(before);
      // the same window positions get the same sums: identical up to float rounding of overlaps
      let maxDiff = 0;
      for (let i = 0; i < expected.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected[i]!));
      expect(maxDiff).toBeLessThanOrEqual(1e-6);
      expect(expected.some((v) => v !== 0)).toBe(true);
    });
  }
});
