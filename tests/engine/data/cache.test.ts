import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDetail } from '../../../src/shared/dto';
import { hashDatasetCache, readDatasetCache, readDatasetSamples } from '../../../src/main/engine/data/cache';
import { NO_SPLIT, type LoadedDataset } from '../../../src/main/engine/data/loadedDataset';
import { MemoryPixels } from '../../../src/main/engine/data/pixelStore';
import { writeDatasetCache } from '../../../src/main/engine/data/writeCache';

const H = 4;
const W = 5;
const C = 3;
const per = H * W * C;
const pixelOf = (i: number, k: number): number => (i * 31 + k) & 255;

function dataset(count: number): LoadedDataset {
  const data = Uint8Array.from({ length: count * per }, (_, j) => pixelOf(Math.floor(j / per), j % per));
  return {
    kind: 'folder',
    classes: ['a', 'b', 'c'],
    inputShape: [H, W, C],
    resizeMode: 'crop',
    count,
    labels: Uint16Array.from({ length: count }, (_, i) => i % 3),
    // stored in reverse order, to show the writer follows the slots
    slots: Uint32Array.from({ length: count }, (_, i) => count - 1 - i),
    pixels: new MemoryPixels(
      Uint8Array.from(
        { length: count * per },
        (_, j) => data[(count - 1 - Math.floor(j / per)) * per + (j % per)]!,
      ),
      per,
    ),
    givenSplit: new Uint8Array(count).fill(NO_SPLIT),
    problems: [],
    warnings: [],
    channelMix: { rgb: count },
    sizeStats: { minWidth: W, maxWidth: W, minHeight: H, maxHeight: H, meanWidth: W, meanHeight: H },
  };
}

describe('the dataset cache', () => {
  let dir: string;
  const detail = { id: 'd', name: 'd' } as DatasetDetail;
  // images 0..9 → train 0..6, validation 7..8, test 9
  const splitOf = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'prunelab-cache-'));
    await writeDatasetCache(dir, detail, dataset(10), splitOf);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back every split as typed arrays with pixels and labels in place', async () => {
    const { detail: read, splits } = await readDatasetCache(dir);
    expect(read).toEqual({ ...detail, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(splits.classes).toEqual(['a', 'b', 'c']);
    expect([splits.train.count, splits.validation.count, splits.test.count]).toEqual([7, 2, 1]);
    expect([splits.train.height, splits.train.width, splits.train.channels]).toEqual([H, W, C]);
    expect([...splits.validation.labels]).toEqual([7 % 3, 8 % 3]);
    expect(splits.test.images[5]).toBe(pixelOf(9, 5));
    expect(splits.train.images[3 * per + 7]).toBe(pixelOf(3, 7));
  });

  it('pages samples by class or by explicit indices, as PNGs of the cached pixels', async () => {
    const byClass = await readDatasetSamples(dir, { split: 'train', classIndex: 1, offset: 1, limit: 5 });
    expect(byClass.total).toBe(2); // train images 1 and 4
    expect(byClass.items.map((s) => [s.index, s.label])).toEqual([[4, 1]]);

    const picked = await readDatasetSamples(dir, {
      split: 'train',
      indices: [6, 0, 99],
      offset: 0,
      limit: 10,
    });
    expect(picked.total).toBe(2);
    expect(picked.items.map((s) => s.index)).toEqual([6, 0]);
    const png = Buffer.from(picked.items[0]!.dataUrl.replace('data:image/png;base64,', ''), 'base64');
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([W, H, C]);
    expect([...data]).toEqual(Array.from({ length: per }, (_, k) => pixelOf(6, k)));
  });

  it('refuses a damaged or foreign cache with a clear error', async () => {
    const damaged = await mkdtemp(join(tmpdir(), 'prunelab-cache-bad-'));
    try {
      await writeDatasetCache(damaged, detail, dataset(10), splitOf);
      await truncate(join(damaged, 'train.bin'), 100);
      await expect(readDatasetCache(damaged)).rejects.toThrow(/train\.bin .* is damaged/);
      await writeFile(join(damaged, 'meta.json'), '{"format":"something-else"}');
      await expect(readDatasetCache(damaged)).rejects.toThrow(/another format or version/);
      await expect(readDatasetCache(join(damaged, 'nope'))).rejects.toThrow(/No readable dataset cache/);
    } finally {
      await rm(damaged, { recursive: true, force: true });
    }
  });
});

describe('the content hash', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'prunelab-hash-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const detail = { id: 'd', name: 'd' } as DatasetDetail;
  const write = async (name: string, data: LoadedDataset, splitOf: Uint8Array) => {
    const dir = join(root, name);
    await mkdir(dir);
    const meta = await writeDatasetCache(dir, { ...detail, id: name }, data, splitOf);
    return { dir, hash: meta.detail.contentHash };
  };

  it('is what training reads: the same pixels, labels and split give the same hash, re-read from disk too', async () => {
    const splitOf = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);
    const a = await write('a', dataset(10), splitOf);
    const b = await write('b', dataset(10), splitOf);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash); // another id and name, same content
    expect(await hashDatasetCache(a.dir)).toBe(a.hash);
  });

  it('changes with the split, a pixel, a label or a class name', async () => {
    const splitOf = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);
    const base = (await write('base', dataset(10), splitOf)).hash;
    const otherSplit = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 0, 1, 2]);
    const changedPixels = dataset(10);
    const bytes = Uint8Array.from((changedPixels.pixels as MemoryPixels).data);
    bytes[3] = bytes[3]! ^ 1;
    changedPixels.pixels = new MemoryPixels(bytes, per);
    const relabelled = { ...dataset(10), labels: Uint16Array.from({ length: 10 }, (_, i) => (i + 1) % 3) };
    const renamed = { ...dataset(10), classes: ['a', 'b', 'x'] };
    const hashes = [
      (await write('split', dataset(10), otherSplit)).hash,
      (await write('pixel', changedPixels, splitOf)).hash,
      (await write('label', relabelled, splitOf)).hash,
      (await write('class', renamed, splitOf)).hash,
    ];
    expect(new Set([base, ...hashes]).size).toBe(5);
  });
});
