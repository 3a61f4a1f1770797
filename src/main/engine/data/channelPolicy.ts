// The channel policy, stated once:
// - every source layout (gray, gray+alpha, RGB, RGBA, CMYK, palette, 8 or 16 bits) is counted in the
//   dataset's channel mix;
// - the dataset gets 1 channel when most images are gray, else 3 — unless the user chose;
// - alpha is flattened onto white (how viewers show transparent images), CMYK is converted to sRGB through
//   sharp's CMYK profile, 16-bit samples are scaled to 8 bits, colour becomes gray by luminance;
// - default square size: 28 for 1-channel data, 32 for 3-channel (the MNIST and CIFAR conventions).
import type { ResizeMode } from '../../../shared/dto';

export type DatasetChannels = 1 | 3;

export interface DecodeTarget {
  size: number;
  channels: DatasetChannels;
  resizeMode: ResizeMode;
  /** width · height above which a file is a decompression bomb and is never decoded */
  maxPixels: number;
  /** images with a side shorter than this carry too little to learn from */
  minSide: number;
}

export const DEFAULT_MAX_PIXELS = 100_000_000;
export const DEFAULT_MIN_SIDE = 8;
export const ALPHA_BACKGROUND = { r: 255, g: 255, b: 255 };
export const PAD_BACKGROUND = { r: 0, g: 0, b: 0 };

export function defaultSize(channels: DatasetChannels): number {
  return channels === 1 ? 28 : 32;
}

/** A short name for a source layout, e.g. 'gray', 'rgba', 'cmyk', 'rgb-16bit'. */
export function layoutName(space: string | undefined, hasAlpha: boolean, sixteenBit: boolean): string {
  const base = space === 'cmyk' ? 'cmyk' : space === 'b-w' || space === 'grey16' ? 'gray' : 'rgb';
  const alpha = hasAlpha ? (base === 'gray' ? '+alpha' : base === 'rgb' ? 'a' : '') : '';
  return `${base}${alpha}${sixteenBit ? '-16bit' : ''}`;
}

export function isGrayLayout(layout: string): boolean {
  return layout.startsWith('gray');
}

/** 1 when gray layouts are the strict majority of decoded images, else 3. */
export function majorityChannels(mix: Record<string, number>): DatasetChannels {
  let gray = 0;
  let colour = 0;
  for (const [layout, n] of Object.entries(mix)) {
    if (isGrayLayout(layout)) gray += n;
    else colour += n;
  }
  return gray > colour ? 1 : 3;
}
