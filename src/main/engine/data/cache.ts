// The on-disk dataset cache: meta.json (the DatasetDetail plus the layout) and one binary file per split —
// count·h·w·c uint8 pixels (NHWC) followed by count uint16 little-endian labels. Training reads it straight
// into typed arrays; nothing is decoded twice and nothing becomes a JS number array.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetDetail, DatasetSample } from '../../../shared/dto';
import type { DatasetSplits, ImageSet } from '../types';
import { encodePng } from './encodePng';
import { splitNames, type SplitName } from './split';

export const CACHE_FORMAT = 'prunelab-dataset-cache';
export const CACHE_VERSION = 1;

export interface CacheMeta {
  format: typeof CACHE_FORMAT;
  version: number;
  detail: DatasetDetail;
  classes: string[];
  /** [height, width, channels] */
  shape: [number, number, number];
  splits: Record<SplitName, { count: number; file: string }>;
}

export const splitFile = (split: SplitName): string => `${split}.bin`;

/**
 * The dataset's content hash: sha256 over the cache format, the image shape and the class names, then each
 * split's name, count and file bytes in split order — what training reads, and nothing about where it came
 * from. The writer feeds it as it writes (`beginSplit`, then every chunk); `hashDatasetCache` re-reads a
 * cache written before hashes were recorded and gets the same digest.
 */
export class ContentHasher {
  private readonly hash: Hash = createHash('sha256');

  constructor(shape: readonly [number, number, number], classes: readonly string[]) {
    this.hash.update(`${JSON.stringify({ format: CACHE_FORMAT, version: CACHE_VERSION, shape, classes })}\n`);
  }

  beginSplit(split: SplitName, count: number): void {
    this.hash.update(`${split}:${count}\n`);
  }

  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** The content hash of a cache on disk (see ContentHasher). */
export async function hashDatasetCache(datasetDir: string, signal?: AbortSignal): Promise<string> {
  const meta = await readCacheMeta(datasetDir);
  const hasher = new ContentHasher(meta.shape, meta.classes);
  for (const split of splitNames) {
    hasher.beginSplit(split, meta.splits[split].count);
    for await (const chunk of createReadStream(join(datasetDir, meta.splits[split].file), {
      ...(signal ? { signal } : {}),
    }))
      hasher.update(chunk as Buffer);
  }
  return hasher.digest();
}

export async function readCacheMeta(datasetDir: string): Promise<CacheMeta> {
  let meta: CacheMeta;
  try {
    meta = JSON.parse(await readFile(join(datasetDir, 'meta.json'), 'utf8')) as CacheMeta;
  } catch (err) {
    throw new Error(
      `No readable dataset cache in ${datasetDir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (meta.format !== CACHE_FORMAT || meta.version !== CACHE_VERSION)
    throw new Error(
      `${datasetDir} holds a dataset cache of another format or version; import the dataset again`,
    );
  return meta;
}

export async function writeCacheMeta(datasetDir: string, meta: CacheMeta): Promise<void> {
  await writeFile(join(datasetDir, 'meta.json'), JSON.stringify(meta, null, 1));
}

function imageBytes(meta: CacheMeta): number {
  return meta.shape[0] * meta.shape[1] * meta.shape[2];
}

function decodeLabels(bytes: Uint8Array, count: number): Uint16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const labels = new Uint16Array(count);
  for (let i = 0; i < count; i++) labels[i] = view.getUint16(2 * i, true);
  return labels;
}

async function readSplit(datasetDir: string, meta: CacheMeta, split: SplitName): Promise<ImageSet> {
  const { count, file } = meta.splits[split];
  const [height, width, channels] = meta.shape;
  const perImage = imageBytes(meta);
  const data = await readFile(join(datasetDir, file));
  if (data.length !== count * (perImage + 2))
    throw new Error(
      `${file} in ${datasetDir} is damaged (${data.length} bytes, expected ${count * (perImage + 2)})`,
    );
  const images = new Uint8Array(data.buffer, data.byteOffset, count * perImage);
  const labels = decodeLabels(data.subarray(count * perImage), count);
  return { images, labels, count, height, width, channels };
}

/** The whole dataset as typed arrays, ready for batching. */
export async function readDatasetCache(
  datasetDir: string,
): Promise<{ detail: DatasetDetail; splits: DatasetSplits }> {
  const meta = await readCacheMeta(datasetDir);
  const [train, validation, test] = await Promise.all(splitNames.map((s) => readSplit(datasetDir, meta, s)));
  return {
    detail: meta.detail,
    splits: { classes: meta.classes, train: train!, validation: validation!, test: test! },
  };
}

export interface SampleQuery {
  split: SplitName;
  /** explicit indices into the split; out-of-range ones are dropped */
  indices?: number[];
  /** page through one class */
  classIndex?: number;
  offset: number;
  limit: number;
}

/** Encodes one cached image as a PNG data URL (gray or RGB). */
export async function pngDataUrl(
  pixels: Uint8Array,
  height: number,
  width: number,
  channels: number,
): Promise<string> {
  return `data:image/png;base64,${(await encodePng(pixels, height, width, channels)).toString('base64')}`;
}

/** A page of one split's images as PNG data URLs, reading only the records it shows. */
export async function readDatasetSamples(
  datasetDir: string,
  query: SampleQuery,
): Promise<{ total: number; items: DatasetSample[] }> {
  const meta = await readCacheMeta(datasetDir);
  const { count, file } = meta.splits[query.split];
  const [height, width, channels] = meta.shape;
  const perImage = imageBytes(meta);
  const handle = await open(join(datasetDir, file), 'r');
  try {
    const labelBytes = new Uint8Array(count * 2);
    await handle.read(labelBytes, 0, labelBytes.length, count * perImage);
    const labels = decodeLabels(labelBytes, count);
    let chosen: number[];
    let total: number;
    if (query.indices) {
      chosen = query.indices.filter((i) => Number.isInteger(i) && i >= 0 && i < count);
      total = chosen.length;
      chosen = chosen.slice(query.offset, query.offset + query.limit);
    } else {
      const all: number[] = [];
      for (let i = 0; i < count; i++)
        if (query.classIndex === undefined || labels[i] === query.classIndex) all.push(i);
      total = all.length;
      chosen = all.slice(query.offset, query.offset + query.limit);
    }
    const items: DatasetSample[] = [];
    const pixels = new Uint8Array(perImage);
    for (const index of chosen) {
      await handle.read(pixels, 0, perImage, index * perImage);
      items.push({
        index,
        split: query.split,
        label: labels[index] ?? 0,
        dataUrl: await pngDataUrl(pixels, height, width, channels),
      });
    }
    return { total, items };
  } finally {
    await handle.close();
  }
}
