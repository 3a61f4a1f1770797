// Draws a sparsity mask onto a canvas, one canvas pixel per weight — or per kernel when folded (CSS scales
// it up, pixelated).
import type { MaskBitmap } from '../../shared/dto';
import { maskToRgba, type Rgba } from './maskBitmap';
import { foldByKernel, foldedToRgba, type MapMode } from './maskFold';
import { MASK_DRAW_MEASURE } from './measures';

export function parseColor(css: string, fallback: Rgba): Rgba {
  const hex = /^#([0-9a-f]{6})$/i.exec(css.trim());
  if (!hex?.[1]) return fallback;
  const n = parseInt(hex[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255];
}

/** Returns the kept weight count, or null when the canvas has no 2D context (e.g. jsdom). */
export function drawMask(
  canvas: HTMLCanvasElement,
  mask: MaskBitmap,
  kept: Rgba,
  pruned: Rgba,
  mode: MapMode = 'weight',
): number | null {
  const start = performance.now();
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  let image: { pixels: Uint8ClampedArray; width: number; height: number; kept: number };
  if (mode === 'kernel') {
    const folded = foldByKernel(mask);
    image = {
      pixels: foldedToRgba(folded, kept, pruned),
      width: folded.cols,
      height: folded.rows,
      kept: folded.kept.reduce((a, n) => a + n, 0),
    };
  } else {
    const { pixels, kept: keptCount } = maskToRgba(mask, kept, pruned);
    image = { pixels, width: mask.cols, height: mask.rows, kept: keptCount };
  }
  if (canvas.width !== image.width) canvas.width = image.width;
  if (canvas.height !== image.height) canvas.height = image.height;
  ctx.putImageData(
    new ImageData(image.pixels as Uint8ClampedArray<ArrayBuffer>, image.width, image.height),
    0,
    0,
  );
  // Benchmarks read this measure (bench/ui.ts); it costs nothing when nobody looks.
  performance.measure(MASK_DRAW_MEASURE, {
    start,
    end: performance.now(),
    detail: { weights: mask.rows * mask.cols },
  });
  return image.kept;
}
