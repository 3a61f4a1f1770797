// CIFAR-10 binary batches: data_batch_1…5.bin (training) and test_batch.bin, each record one label byte then
// 1024 red, 1024 green and 1024 blue bytes (32×32, row-major); class names from batches.meta.txt.
// A damaged batch file is listed as a problem and the others still import.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportProblem } from '../../../shared/dto';
import { DEFAULT_MAX_PIXELS, DEFAULT_MIN_SIDE, defaultSize } from './channelPolicy';
import { cifarBatchPattern } from './detectSource';
import { importFailed } from './errors';
import { nameClasses, readClassNamesFile, type RawImportOptions } from './rawSource';
import { SizeStatsAccumulator, type LoadedDataset } from './loadedDataset';
import { MemoryPixels } from './pixelStore';
import { resampleRaw } from './resampleRaw';
import { TEST, TRAIN } from './split';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;

/** Planar CHW records → interleaved HWC images + labels. */
export function parseCifarBatch(
  data: Uint8Array,
  name = 'CIFAR batch',
): { images: Uint8Array; labels: Uint8Array } {
  if (data.length === 0 || data.length % RECORD !== 0)
    throw new Error(`${name}: ${data.length} bytes is not a whole number of ${RECORD}-byte records`);
  const count = data.length / RECORD;
  const images = new Uint8Array(count * 3 * PLANE);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const base = r * RECORD;
    labels[r] = data[base] ?? 0;
    const out = r * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      images[out + 3 * p] = data[base + 1 + p] ?? 0;
      images[out + 3 * p + 1] = data[base + 1 + PLANE + p] ?? 0;
      images[out + 3 * p + 2] = data[base + 1 + 2 * PLANE + p] ?? 0;
    }
  }
  return { images, labels };
}

export async function importCifar(dir: string, options: RawImportOptions): Promise<LoadedDataset> {
  const names = await readdir(dir);
  const batches = names.filter((n) => cifarBatchPattern.test(n)).sort();
  const problems: ImportProblem[] = [];
  const parts: { images: Uint8Array; labels: Uint8Array; split: number }[] = [];
  for (const [k, name] of batches.entries()) {
    options.onProgress?.('read', k, batches.length);
    try {
      const parsed = parseCifarBatch(new Uint8Array(await readFile(join(dir, name))), name);
      parts.push({ ...parsed, split: /^test/i.test(name) ? TEST : TRAIN });
    } catch (err) {
      problems.push({
        path: name,
        reason: 'corrupt',
        detail: err instanceof Error ? err.message : String(err),
      });
    }
  }
  if (parts.length === 0) throw importFailed(`No readable CIFAR batch in ${dir}.`, { problems });

  const count = parts.reduce((n, p) => n + p.labels.length, 0);
  const native = new Uint8Array(count * 3 * PLANE);
  const labels = new Uint16Array(count);
  const givenSplit = new Uint8Array(count);
  let at = 0;
  let maxLabel = 0;
  for (const p of parts) {
    native.set(p.images, at * 3 * PLANE);
    p.labels.forEach((l, k) => {
      labels[at + k] = l;
      maxLabel = Math.max(maxLabel, l);
    });
    givenSplit.fill(p.split, at, at + p.labels.length);
    at += p.labels.length;
  }
  const classes = nameClasses(maxLabel, options.classNames ?? (await readClassNamesFile(dir, names)), dir);
  const channels = options.channels ?? 3;
  const target = {
    size: options.size ?? (channels === 1 ? defaultSize(1) : SIDE),
    channels,
    resizeMode: options.resizeMode,
    maxPixels: DEFAULT_MAX_PIXELS,
    minSide: DEFAULT_MIN_SIDE,
  };
  const pixels = await resampleRaw(
    native,
    count,
    [SIDE, SIDE, 3],
    target,
    (d, t) => options.onProgress?.('resize', d, t),
    options.signal,
  );
  const sizes = new SizeStatsAccumulator();
  sizes.add(SIDE, SIDE);
  return {
    kind: 'cifar',
    classes,
    inputShape: [target.size, target.size, channels],
    resizeMode: options.resizeMode,
    count,
    labels,
    slots: Uint32Array.from({ length: count }, (_, i) => i),
    pixels: new MemoryPixels(pixels, target.size * target.size * channels),
    givenSplit,
    problems,
    warnings: [],
    channelMix: { rgb: count },
    sizeStats: sizes.result(),
  };
}
