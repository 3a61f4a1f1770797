// CIFAR-10 binary batches: data_batch_1…5.bin (training) and test_batch.bin, each record one label byte then
// 1024 red, 1024 green and 1024 blue bytes (32×32, row-major); class names from batches.meta.txt.
// A damaged batch file is listed as a problem and the others still import.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportProblem } from '../../../shared/dto';
import { defaultSize } from './channelPolicy';
import { cifarBatchPattern } from './detectSource';
import { importFailed } from './errors';
import { nameClasses, readClassNamesFile, type RawImportOptions } from './rawSource';
import type { LoadedDataset } from './loadedDataset';
import { corruptFile, joinParts, rawDataset, type RawPart } from './rawDataset';
import { TEST, TRAIN } from './split';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
/** A batch of the real dataset is 10,000 records (30 MiB); a file this large is not one. */
export const MAX_CIFAR_BATCH_BYTES = 512 * 2 ** 20;

/** Refuses a batch file over the size limit before reading a byte of it. */
async function readBatch(path: string, name: string): Promise<Uint8Array> {
  const { size } = await stat(path);
  if (size > MAX_CIFAR_BATCH_BYTES)
    throw Object.assign(
      new Error(
        `${name}: the file is ${Math.round(size / 2 ** 20)} MiB, over the ${MAX_CIFAR_BATCH_BYTES / 2 ** 20} MiB limit`,
      ),
      { reason: 'too-large' },
    );
  return new Uint8Array(await readFile(path));
}

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
  const parts: RawPart[] = [];
  for (const [k, name] of batches.entries()) {
    options.onProgress?.('read', k, batches.length);
    try {
      const parsed = parseCifarBatch(await readBatch(join(dir, name), name), name);
      parts.push({ ...parsed, split: /^test/i.test(name) ? TEST : TRAIN });
    } catch (err) {
      problems.push(corruptFile(name, err));
    }
  }
  if (parts.length === 0) throw importFailed(`No readable CIFAR batch in ${dir}.`, { problems });

  const { count, native, labels, givenSplit, maxLabel } = joinParts(parts, 3 * PLANE);
  const classes = nameClasses(maxLabel, options.classNames ?? (await readClassNamesFile(dir, names)), dir);
  const channels = options.channels ?? 3;
  return rawDataset(
    {
      kind: 'cifar',
      classes,
      count,
      labels,
      givenSplit,
      problems,
      channelMix: { rgb: count },
      native,
      nativeShape: [SIDE, SIDE, 3],
      size: options.size ?? (channels === 1 ? defaultSize(1) : SIDE),
      channels,
    },
    options,
  );
}
