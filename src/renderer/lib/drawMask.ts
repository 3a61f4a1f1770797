// Draws a sparsity mask onto a canvas, one canvas pixel per weight (CSS scales it, pixelated).
import type { MaskBitmap } from '../../shared/dto';
import { maskToRgba, type Rgba } from './maskBitmap';
import { MASK_DRAW_MEASURE } from './measures';

export function parseColor(css: string, fallback: Rgba): Rgba {
  const hex = /^#([0-9a-f]{6})$/i.exec(css.trim());
  if (!hex?.[1]) return fallback;
  const n = parseInt(hex[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255];
}

/** Returns the kept count, or null when the canvas has no 2D context (e.g. jsdom). */
export function drawMask(
  canvas: HTMLCanvasElement,
  mask: MaskBitmap,
  kept: Rgba,
  pruned: Rgba,
): number | null {
  const start = performance.now();
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  if (canvas.width !== mask.cols) canvas.width = mask.cols;
  if (canvas.height !== mask.rows) canvas.height = mask.rows;
  const { pixels, kept: keptCount } = maskToRgba(mask, kept, pruned);
  ctx.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, mask.cols, mask.rows), 0, 0);
  // Benchmarks read this measure (bench/ui.ts); it costs nothing when nobody looks.
  performance.measure(MASK_DRAW_MEASURE, {
    start,
    end: performance.now(),
    detail: { weights: mask.rows * mask.cols },
  });
  return keptCount;
}
