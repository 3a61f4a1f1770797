import { describe, expect, it } from 'vitest';
import { maskBitmap, scoreHistogram, unpackBitmap } from '../../../src/main/engine/prune/bitmap';

describe('mask bitmap and histogram', () => {
  it('lays a conv kernel [kh, kw, in, out] out as [out, in·kh·kw], MSB first, 1 = kept', () => {
    const [kh, kw, inputs, units] = [2, 2, 3, 2];
    const keep = new Uint8Array(kh * kw * inputs * units);
    // keep only weight (i=1, j=0, c=2, o=1)
    keep[((1 * kw + 0) * inputs + 2) * units + 1] = 1;
    const bitmap = maskBitmap(keep, [kh, kw, inputs, units]);
    expect([bitmap.rows, bitmap.cols]).toEqual([2, 12]);
    // the kernel size travels with the bitmap, so a view can fold the kh·kw positions of each input
    expect(bitmap.kernel).toEqual([kh, kw]);
    const flags = unpackBitmap(bitmap);
    const col = (2 * kh + 1) * kw + 0;
    expect([...flags].map((f, i) => (f ? i : -1)).filter((i) => i >= 0)).toEqual([1 * 12 + col]);
    // first bit of all: output 0, column 0 → the byte's most significant bit
    const first = new Uint8Array(keep.length);
    first[0] = 1;
    expect(Buffer.from(maskBitmap(first, [kh, kw, inputs, units]).bitsBase64, 'base64')[0]).toBe(0x80);
  });

  it('lays a dense kernel [in, out] out as [out, in]', () => {
    const keep = Uint8Array.from([1, 0, 0, 1, 1, 1]); // in=3, out=2
    const bitmap = maskBitmap(keep, [3, 2]);
    expect([...unpackBitmap(bitmap)]).toEqual([1, 0, 1, 0, 1, 1]);
    expect(bitmap).not.toHaveProperty('kernel');
  });

  it('bins scores into 32 equal bins between min and max', () => {
    const h = scoreHistogram(Float32Array.from({ length: 64 }, (_, i) => i));
    expect(h.counts).toHaveLength(32);
    expect(h.counts.every((c) => c === 2)).toBe(true);
    expect([h.min, h.max]).toEqual([0, 63]);
  });
});
