import { describe, expect, it } from 'vitest';
import { encodeWeight } from '../../../src/main/engine/export/encodeWeights';
import { sparseStreams } from '../../../src/main/engine/export/sparseEncoding';
import {
  float16BitsToNumber,
  float32ToFloat16Bits,
  toFloat16Array,
} from '../../../src/main/engine/export/float16';
import { affineUint8Params, dequantizeUint8, quantizeUint8 } from '../../../src/main/engine/export/quantize';

describe('float16', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite half
    [65520, 0x7c00], // rounds up to Infinity
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -26, 0x0000], // underflows to zero
    [1 + 2 ** -11, 0x3c00], // tie → even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // tie → even (up)
    [Infinity, 0x7c00],
  ])('%d → 0x%s', (value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits);
  });

  it('round-trips within half precision (relative error ≤ 2^-11 for normal values)', () => {
    const values = new Float32Array(2000).map((_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 7) - 3));
    const half = toFloat16Array(values);
    values.forEach((v, i) => {
      const back = float16BitsToNumber(half[i] as number);
      if (Math.abs(v) >= 2 ** -14) expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
      else expect(Math.abs(back - v)).toBeLessThanOrEqual(2 ** -25);
    });
    expect(Number.isNaN(float16BitsToNumber(float32ToFloat16Bits(NaN)))).toBe(true);
  });
});

describe('affine uint8', () => {
  it('keeps zeros exact and every other value within half a step', () => {
    const values = new Float32Array([0, -0.31, 0.02, 0, 0.77, -0.05, 0, 0.4]);
    const params = affineUint8Params(values);
    expect(params.min).toBeLessThanOrEqual(-0.3);
    const q = quantizeUint8(values, params);
    const back = dequantizeUint8(q, params);
    values.forEach((v, i) => {
      if (v === 0) {
        expect(q[i]).toBe(params.zeroPoint);
        expect(back[i]).toBe(0);
      } else {
        expect(Math.abs((back[i] as number) - v)).toBeLessThanOrEqual(params.scale / 2 + 1e-7);
      }
    });
    // tfjs dequantises as q · scale + min: the zero point must land on exactly 0 that way too.
    expect(params.zeroPoint * params.scale + params.min).toBe(0);
  });

  it('handles all-positive, all-negative and all-zero tensors', () => {
    expect(affineUint8Params(new Float32Array([0.1, 0.5])).zeroPoint).toBe(0);
    expect(affineUint8Params(new Float32Array([-0.1, -0.5])).zeroPoint).toBe(255);
    const zeros = new Float32Array(4);
    const params = affineUint8Params(zeros);
    expect(Array.from(dequantizeUint8(quantizeUint8(zeros, params), params))).toEqual([0, 0, 0, 0]);
  });
});

describe('sparse encoding', () => {
  it('is lossless: the bitmask and the shuffled values restore every stored element', () => {
    const values = new Float32Array(37).map((_, i) => (i % 3 === 0 ? Math.cos(i) : 0));
    const weights = (['float32', 'float16', 'uint8'] as const).map((encoding) =>
      encodeWeight({ name: 'w', shape: [37, 1], values }, encoding),
    );
    for (const w of weights) {
      const { bitmask, values: shuffled } = sparseStreams([w]);
      const width = w.bytes.length / 37;
      const restored = new Uint8Array(w.bytes.length);
      const fill = w.kind === 'uint8' ? (w.quant?.zeroPoint ?? 0) : 0;
      restored.fill(fill);
      const kept: number[] = [];
      for (let i = 0; i < 37; i++) if (((bitmask[i >> 3] as number) & (0x80 >> (i & 7))) !== 0) kept.push(i);
      expect(kept.length).toBe(13); // i = 0, 3, …, 36
      const planeBytes = Math.ceil(kept.length / 8);
      kept.forEach((i, k) => {
        for (let byte = width - 1, plane = 0; byte >= 0; byte--) {
          for (let bit = 7; bit >= 0; bit--, plane++) {
            const set = ((shuffled[plane * planeBytes + (k >> 3)] as number) >> (7 - (k & 7))) & 1;
            if (set) restored[i * width + byte] = (restored[i * width + byte] as number) | (1 << bit);
            else restored[i * width + byte] = (restored[i * width + byte] as number) & ~(1 << bit);
          }
        }
      });
      expect(Array.from(restored)).toEqual(Array.from(w.bytes));
    }
  });
});
