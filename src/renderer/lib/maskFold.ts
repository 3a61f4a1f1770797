// A convolution's mask is units × (inputs · kh · kw): 64 × 576 for a 3×3 layer with 64 inputs, too wide to
// read in a panel. Folding the kh·kw positions of each input into one cell gives units × inputs — one
// cell per kernel, shaded by how many of its weights are kept — which fits and still shows which
// connections pruning cut.
import type { MaskBitmap } from '../../shared/dto';
import { base64ToBytes, maskBit, type Rgba } from './maskBitmap';

export type MapMode = 'kernel' | 'weight';

/** Whether a mask can fold by kernel position (a convolution with more than one position). */
export function canFold(mask: MaskBitmap): boolean {
  const k = mask.kernel;
  return !!k && k[0] * k[1] > 1 && mask.cols % (k[0] * k[1]) === 0;
}

/** Kept weights per (unit, input) kernel, row-major [rows × inputs], and the weights each kernel has. */
export function foldByKernel(mask: MaskBitmap): {
  rows: number;
  cols: number;
  kept: Uint16Array;
  perCell: number;
} {
  const perCell = canFold(mask) ? mask.kernel![0] * mask.kernel![1] : 1;
  const cols = mask.cols / perCell;
  const bits = base64ToBytes(mask.bitsBase64);
  const kept = new Uint16Array(mask.rows * cols);
  for (let r = 0; r < mask.rows; r++)
    for (let c = 0; c < cols; c++) {
      let n = 0;
      // columns are in (input, kh, kw) order: one input's positions are side by side
      for (let k = 0; k < perCell; k++) n += maskBit(bits, r * mask.cols + c * perCell + k) ? 1 : 0;
      kept[r * cols + c] = n;
    }
  return { rows: mask.rows, cols, kept, perCell };
}

/** RGBA pixels of a folded map: the pruned colour for an empty kernel, the kept colour for a full one. */
export function foldedToRgba(
  folded: { kept: Uint16Array; perCell: number },
  kept: Rgba,
  pruned: Rgba,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(folded.kept.length * 4);
  folded.kept.forEach((n, i) => {
    const t = n / folded.perCell;
    for (let ch = 0; ch < 4; ch++) out[i * 4 + ch] = Math.round(pruned[ch]! + (kept[ch]! - pruned[ch]!) * t);
  });
  return out;
}

/** Smallest cell drawn at zoom 1: below 3 px neighbouring cells blur into one another. */
export const MIN_CELL_PX = 3;
const MAX_CELL_PX = 20;

/** Square cells that fill `fitWidth` when they can, never smaller than MIN_CELL_PX (the view scrolls). */
export function cellSize(gridCols: number, fitWidth: number, zoom: number): number {
  const fit = Math.min(
    MAX_CELL_PX,
    Math.max(MIN_CELL_PX, Math.floor((fitWidth / Math.max(1, gridCols)) * 4) / 4),
  );
  return fit * zoom;
}
