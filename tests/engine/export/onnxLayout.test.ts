import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { padsFor, permuteRowsToChw, transposeHwioToOihw } from '../../../src/main/engine/export/onnxLayout';

describe('ONNX layout arithmetic', () => {
  it("pads like TensorFlow's 'same': the odd extra row/column goes at the end", () => {
    expect(padsFor('same', [5, 6], [3, 3], [2, 2], [1, 1])).toEqual([1, 0, 1, 1]);
    expect(padsFor('same', [8, 8], [5, 5], [1, 1], [1, 1])).toEqual([2, 2, 2, 2]);
    expect(padsFor('same', [5, 5], [2, 2], [2, 2], [1, 1])).toEqual([0, 0, 1, 1]);
    expect(padsFor('valid', [5, 5], [3, 3], [1, 1], [1, 1])).toEqual([0, 0, 0, 0]);
    expect(() => padsFor('causal', [5, 5], [3, 3], [1, 1], [1, 1])).toThrow(/causal/);
  });

  it('transposes [kh, kw, in, out] to [out, in, kh, kw] exactly as tf.transpose does', () => {
    const values = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i);
    const expected = tf.tidy(() => tf.transpose(tf.tensor4d(values, [2, 3, 4, 5]), [3, 2, 0, 1]).dataSync());
    expect(Array.from(transposeHwioToOihw(values, 2, 3, 4, 5))).toEqual(Array.from(expected));
  });

  it('permutes dense rows from (h, w, c) to (c, h, w) flatten order', () => {
    const [c, h, w, cols] = [3, 2, 4, 2];
    const rows = Float32Array.from({ length: c * h * w * cols }, (_, i) => i);
    // Row r of the permuted kernel must be the tfjs row of the same (c, h, w) feature.
    const expected = tf.tidy(() => tf.transpose(tf.tensor4d(rows, [h, w, c, cols]), [2, 0, 1, 3]).dataSync());
    expect(Array.from(permuteRowsToChw(rows, [c, h, w], cols))).toEqual(Array.from(expected));
  });
});
