// Writes a loaded dataset into a cache folder (see cache.ts for the layout), one split file at a time,
// through a bounded write buffer so memory stays flat however large the dataset.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetDetail } from '../../../shared/dto';
import {
  CACHE_FORMAT,
  CACHE_VERSION,
  ContentHasher,
  splitFile,
  writeCacheMeta,
  type CacheMeta,
} from './cache';
import { throwIfAborted } from './errors';
import type { LoadedDataset } from './loadedDataset';
import { splitNames } from './split';

const CHUNK_BYTES = 4 << 20;

export async function writeDatasetCache(
  dir: string,
  detail: DatasetDetail,
  data: LoadedDataset,
  splitOf: Uint8Array,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<CacheMeta> {
  const perImage = data.pixels.recordBytes;
  const splits = {} as CacheMeta['splits'];
  const hasher = new ContentHasher(data.inputShape, data.classes);
  let written = 0;
  for (const [s, split] of splitNames.entries()) {
    const members: number[] = [];
    splitOf.forEach((x, i) => x === s && members.push(i));
    const file = splitFile(split);
    splits[split] = { count: members.length, file };
    hasher.beginSplit(split, members.length);
    const handle = await open(join(dir, file), 'w');
    try {
      const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / perImage));
      const chunk = new Uint8Array(perChunk * perImage);
      for (let start = 0; start < members.length; start += perChunk) {
        throwIfAborted(signal);
        const part = members.slice(start, start + perChunk);
        part.forEach((i, k) => data.pixels.readInto(data.slots[i] ?? i, chunk, k * perImage));
        hasher.update(chunk.subarray(0, part.length * perImage));
        await handle.write(chunk, 0, part.length * perImage);
        written += part.length;
        onProgress?.(written, data.count);
      }
      const labels = Buffer.alloc(members.length * 2);
      members.forEach((i, k) => labels.writeUInt16LE(data.labels[i] ?? 0, 2 * k));
      hasher.update(labels);
      await handle.write(labels);
    } finally {
      await handle.close();
    }
  }
  const meta: CacheMeta = {
    format: CACHE_FORMAT,
    version: CACHE_VERSION,
    detail: { ...detail, contentHash: hasher.digest() },
    classes: data.classes,
    shape: data.inputShape,
    splits,
  };
  await writeCacheMeta(dir, meta);
  return meta;
}
