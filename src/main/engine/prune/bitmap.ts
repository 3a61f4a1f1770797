import type { MaskBitmap, ScoreHistogram } from '../../../shared/dto';

/**
 * Packs a kernel's keep flags (kernel memory order: conv [kh, kw, in, out], dense [in, out]) into the
 * reported bitmap: one row per output unit, columns in (input, kh, kw) order, most significant bit
 * first, 1 = kept, base64; a convolution's bitmap also says its kernel size.
 */
export function maskBitmap(keep: Uint8Array, shape: readonly number[]): MaskBitmap {
  const [kh, kw, inputs, units] = shape.length === 4 ? shape : [1, 1, shape[0] ?? 1, shape[1] ?? 1];
  const cols = inputs! * kh! * kw!;
  const rows = units!;
  if (keep.length !== rows * cols) throw new Error(`Mask has ${keep.length} flags for shape [${shape}].`);
  const bytes = new Uint8Array(Math.ceil((rows * cols) / 8));
  for (let i = 0; i < kh!; i++) {
    for (let j = 0; j < kw!; j++) {
      for (let c = 0; c < inputs!; c++) {
        const base = ((i * kw! + j) * inputs! + c) * units!;
        const col = (c * kh! + i) * kw! + j;
        for (let o = 0; o < units!; o++) {
          if (!keep[base + o]) continue;
          const bit = o * cols + col;
          bytes[bit >> 3]! |= 0x80 >> (bit & 7);
        }
      }
    }
  }
  const bitsBase64 = Buffer.from(bytes).toString('base64');
  // the kernel size lets a view fold a convolution's kh·kw positions into one cell per (unit, input)
  return shape.length === 4 ? { rows, cols, bitsBase64, kernel: [kh!, kw!] } : { rows, cols, bitsBase64 };
}

/** Reads a bitmap back into row-major flags (tests and tools). */
export function unpackBitmap(bitmap: MaskBitmap): Uint8Array {
  const bytes = Buffer.from(bitmap.bitsBase64, 'base64');
  const flags = new Uint8Array(bitmap.rows * bitmap.cols);
  for (let bit = 0; bit < flags.length; bit++) flags[bit] = (bytes[bit >> 3]! >> (7 - (bit & 7))) & 1;
  return flags;
}

export const histogramBins = 32;

/** 32 equal-width bins between the smallest and largest finite score. */
export function scoreHistogram(scores: Float32Array): ScoreHistogram {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (!Number.isFinite(s)) continue;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const counts = new Array<number>(histogramBins).fill(0);
  if (min === Infinity) return { min: 0, max: 0, counts };
  const width = (max - min) / histogramBins;
  for (const s of scores) {
    if (!Number.isFinite(s)) continue;
    const bin = width > 0 ? Math.min(histogramBins - 1, Math.floor((s - min) / width)) : 0;
    counts[bin]! += 1;
  }
  return { min, max, counts };
}
