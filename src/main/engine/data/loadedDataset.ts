// What every source (folder, IDX, CIFAR) hands to the split and the cache writer: decoded pixels in a
// PixelSource, one label per image, and the doctor's findings.
import type { DatasetKind, DatasetSummary, ImportProblem, ResizeMode } from '../../../shared/dto';
import type { PixelSource } from './pixelStore';

/** min / max / mean width and height of the source images, as the dataset's DTO reports them */
export type SizeStats = DatasetSummary['sizeStats'];

export interface LoadedDataset {
  kind: DatasetKind;
  classes: string[];
  /** [height, width, channels] */
  inputShape: [number, number, number];
  resizeMode: ResizeMode;
  count: number;
  labels: Uint16Array;
  /** slot of image i in `pixels` */
  slots: Uint32Array;
  pixels: PixelSource;
  /** split given by the source (split folders, IDX train/t10k files), or 255 = not given; null = none given */
  givenSplit: Uint8Array | null;
  problems: ImportProblem[];
  warnings: string[];
  channelMix: Record<string, number>;
  sizeStats: SizeStats;
}

export const NO_SPLIT = 255;

/** Running min / max / mean of source image sizes. */
export class SizeStatsAccumulator {
  private n = 0;
  private sumW = 0;
  private sumH = 0;
  private stats: SizeStats = {
    minWidth: 0,
    maxWidth: 0,
    minHeight: 0,
    maxHeight: 0,
    meanWidth: 0,
    meanHeight: 0,
  };

  add(width: number, height: number): void {
    const s = this.stats;
    s.minWidth = this.n === 0 ? width : Math.min(s.minWidth, width);
    s.minHeight = this.n === 0 ? height : Math.min(s.minHeight, height);
    s.maxWidth = Math.max(s.maxWidth, width);
    s.maxHeight = Math.max(s.maxHeight, height);
    this.n++;
    this.sumW += width;
    this.sumH += height;
  }

  result(): SizeStats {
    const mean = (x: number): number => (this.n === 0 ? 0 : Math.round((x / this.n) * 10) / 10);
    return { ...this.stats, meanWidth: mean(this.sumW), meanHeight: mean(this.sumH) };
  }
}
