// Sparsity masks arrive as base64 bitmaps (dto MaskBitmap): rows·cols bits, row-major, MSB first, 1 = kept.

import type { MaskBitmap } from '../../shared/dto';

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] ?? 0);
  return btoa(binary);
}

/** Packs a list of kept flags (row-major) into a MaskBitmap; the inverse of maskBit. Used by fakes and benches. */
export function packMask(rows: number, cols: number, kept: (i: number) => boolean): MaskBitmap {
  const bits = new Uint8Array(Math.ceil((rows * cols) / 8));
  for (let i = 0; i < rows * cols; i++) if (kept(i)) bits[i >> 3] = (bits[i >> 3] ?? 0) | (0x80 >> (i & 7));
  return { rows, cols, bitsBase64: bytesToBase64(bits) };
}

export function maskBit(bits: Uint8Array, i: number): boolean {
  return (((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) === 1;
}

export type Rgba = readonly [number, number, number, number];

/**
 * Turns a mask into RGBA pixels (one pixel per weight) for putImageData. Works a byte at a time so a
 * large layer stays well inside a frame.
 */
export function maskToRgba(
  mask: MaskBitmap,
  kept: Rgba,
  pruned: Rgba,
): { pixels: Uint8ClampedArray; kept: number } {
  const n = mask.rows * mask.cols;
  const bits = base64ToBytes(mask.bitsBase64);
  const pixels = new Uint8ClampedArray(n * 4);
  // Fill as 32-bit words: a single write per pixel.
  const words = new Uint32Array(pixels.buffer);
  const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  const pack = (c: Rgba) =>
    little
      ? ((c[3] << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0
      : ((c[0] << 24) | (c[1] << 16) | (c[2] << 8) | c[3]) >>> 0;
  const keptWord = pack(kept);
  const prunedWord = pack(pruned);
  let keptCount = 0;
  for (let i = 0; i < n; i++) {
    const on = ((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;
    keptCount += on;
    words[i] = on ? keptWord : prunedWord;
  }
  return { pixels, kept: keptCount };
}
