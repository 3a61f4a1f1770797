// What IDX and CIFAR imports do alike once their files are parsed: join the files' images into one
// buffer, then bring it to the dataset's size and channels and describe it as a LoadedDataset.
import type { ImportProblem } from '../../../shared/dto';
import { DEFAULT_MAX_PIXELS, DEFAULT_MIN_SIDE, type DatasetChannels } from './channelPolicy';
import { SizeStatsAccumulator, type LoadedDataset } from './loadedDataset';
import { MemoryPixels } from './pixelStore';
import type { RawImportOptions } from './rawSource';
import { resampleRaw } from './resampleRaw';

/** The images and labels of one source file, all in that file's split. */
export interface RawPart {
  /** `count` images of the native shape, one after another */
  images: Uint8Array;
  labels: Uint8Array;
  split: number;
}

/** A file that could not be read: a problem of the import, which goes on with the other files. */
/** A whole file left out: 'corrupt' unless the error names its own reason (a file over a size limit). */
export function corruptFile(path: string, err: unknown): ImportProblem {
  const reason = (err as { reason?: unknown } | null)?.reason === 'too-large' ? 'too-large' : 'corrupt';
  return { path, reason, detail: err instanceof Error ? err.message : String(err) };
}

/** The parts one after another (`imageBytes` per image), with each image's split and the largest label. */
export function joinParts(
  parts: RawPart[],
  imageBytes: number,
): { count: number; native: Uint8Array; labels: Uint16Array; givenSplit: Uint8Array; maxLabel: number } {
  const count = parts.reduce((n, p) => n + p.labels.length, 0);
  const native = new Uint8Array(count * imageBytes);
  const labels = new Uint16Array(count);
  const givenSplit = new Uint8Array(count);
  let at = 0;
  let maxLabel = 0;
  for (const p of parts) {
    native.set(p.images, at * imageBytes);
    p.labels.forEach((l, k) => {
      labels[at + k] = l;
      maxLabel = Math.max(maxLabel, l);
    });
    givenSplit.fill(p.split, at, at + p.labels.length);
    at += p.labels.length;
  }
  return { count, native, labels, givenSplit, maxLabel };
}

/** Resamples the joined native images to `size`×`size`×`channels` and describes the dataset. */
export async function rawDataset(
  source: Pick<
    LoadedDataset,
    'kind' | 'classes' | 'count' | 'labels' | 'givenSplit' | 'problems' | 'channelMix'
  > & {
    native: Uint8Array;
    /** [height, width, channels] of the source images */
    nativeShape: [number, number, number];
    size: number;
    channels: DatasetChannels;
  },
  options: RawImportOptions,
): Promise<LoadedDataset> {
  const { native, nativeShape, size, channels, count } = source;
  const target = {
    size,
    channels,
    resizeMode: options.resizeMode,
    maxPixels: DEFAULT_MAX_PIXELS,
    minSide: DEFAULT_MIN_SIDE,
  };
  const pixels = await resampleRaw(
    native,
    count,
    nativeShape,
    target,
    (d, t) => options.onProgress?.('resize', d, t),
    options.signal,
  );
  const sizes = new SizeStatsAccumulator();
  sizes.add(nativeShape[1], nativeShape[0]);
  return {
    kind: source.kind,
    classes: source.classes,
    inputShape: [size, size, channels],
    resizeMode: options.resizeMode,
    count,
    labels: source.labels,
    slots: Uint32Array.from({ length: count }, (_, i) => i),
    pixels: new MemoryPixels(pixels, size * size * channels),
    givenSplit: source.givenSplit,
    problems: source.problems,
    warnings: [],
    channelMix: source.channelMix,
    sizeStats: sizes.result(),
  };
}
