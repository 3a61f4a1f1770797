import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOptions } from '../../../src/shared/schemas';
import { readDatasetCache } from '../../../src/main/engine/data/cache';
import { detectSource } from '../../../src/main/engine/data/detectSource';
import { encodeIdx, parseIdxImages, parseIdxLabels } from '../../../src/main/engine/data/idx';
import { importDataset } from '../../../src/main/engine/data/importDataset';
import { parseCifarBatch } from '../../../src/main/engine/data/importCifar';
import type { ImageSet, TaskContext } from '../../../src/main/engine/types';

const ctx = (dataDir: string): TaskContext => ({
  signal: new AbortController().signal,
  dataDir,
  emit: () => {},
});

/** Image i of an IDX test set: every pixel encodes (i, position), so any mix-up shows. */
const idxPixel = (i: number, p: number): number => (i * 37 + p * 3) & 255;

function idxFiles(count: number, labelOf: (i: number) => number): { images: Uint8Array; labels: Uint8Array } {
  const pixels = new Uint8Array(count * 28 * 28);
  for (let i = 0; i < count; i++) for (let p = 0; p < 784; p++) pixels[i * 784 + p] = idxPixel(i, p);
  const labels = Uint8Array.from({ length: count }, (_, i) => labelOf(i));
  return { images: encodeIdx([count, 28, 28], pixels), labels: encodeIdx([count], labels) };
}

/** Every image of a split, keyed by its pixels, to find where each source image went. */
function byPixels(set: ImageSet): Map<string, number> {
  const per = set.height * set.width * set.channels;
  const out = new Map<string, number>();
  for (let i = 0; i < set.count; i++)
    out.set(Buffer.from(set.images.subarray(i * per, (i + 1) * per)).toString('hex'), set.labels[i]!);
  return out;
}

describe('IDX', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'prunelab-idx-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('round-trips the format', () => {
    const { images, labels } = idxFiles(3, (i) => i);
    const parsed = parseIdxImages(images);
    expect([parsed.count, parsed.height, parsed.width]).toEqual([3, 28, 28]);
    expect(parsed.pixels[784 + 5]).toBe(idxPixel(1, 5));
    expect([...parseIdxLabels(labels)]).toEqual([0, 1, 2]);
    expect(() => parseIdxImages(images.subarray(0, 100))).toThrow(/truncated/);
    expect(() => parseIdxLabels(images)).toThrow(/expected 1 dimensions/);
  });

  it('imports gzipped train and plain t10k files with class names, pixels and labels intact', async () => {
    const dir = join(base, 'digits');
    await mkdir(dir);
    const train = idxFiles(60, (i) => i % 3);
    const test = idxFiles(12, (i) => (i + 1) % 3);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(train.images));
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(train.labels));
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), test.images);
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), test.labels);
    await writeFile(join(dir, 'classes.txt'), 'zero\none\ntwo\n');
    expect(await detectSource(join(dir, 'train-images-idx3-ubyte.gz'))).toEqual({ kind: 'idx', dir });

    const dataDir = join(base, 'data');
    const detail = await importDataset('idx', importOptions.parse({ path: dir }), ctx(dataDir));
    expect(detail.kind).toBe('idx');
    expect(detail.classes.map((c) => c.name)).toEqual(['zero', 'one', 'two']);
    expect(detail.inputShape).toEqual([28, 28, 1]);
    expect(detail.imported).toBe(72);
    expect(detail.split).toMatchObject({ test: 12, fromFolders: true });
    expect(detail.split.train + detail.split.validation).toBe(60);

    const { splits } = await readDatasetCache(join(dataDir, 'datasets', 'idx'));
    // the t10k images are exactly the test split, with their labels
    const testImages = byPixels(splits.test);
    for (let i = 0; i < 12; i++) {
      const px = Buffer.from(Uint8Array.from({ length: 784 }, (_, p) => idxPixel(i, p))).toString('hex');
      expect(testImages.get(px)).toBe((i + 1) % 3);
    }
    const trainImages = new Map([...byPixels(splits.train), ...byPixels(splits.validation)]);
    for (let i = 0; i < 60; i++) {
      const px = Buffer.from(Uint8Array.from({ length: 784 }, (_, p) => idxPixel(i, p))).toString('hex');
      expect(trainImages.get(px)).toBe(i % 3);
    }
  });

  it('resizes to a requested size and channel count', async () => {
    const dir = join(base, 'resized');
    await mkdir(dir);
    const train = idxFiles(10, (i) => i % 2);
    await writeFile(join(dir, 'train-images-idx3-ubyte'), train.images);
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), train.labels);
    const detail = await importDataset(
      'r',
      importOptions.parse({ path: dir, size: 16, channels: 3 }),
      ctx(join(base, 'd2')),
    );
    expect(detail.inputShape).toEqual([16, 16, 3]);
    expect(detail.classes.map((c) => c.name)).toEqual(['0', '1']); // no names anywhere: the label numbers
    const { splits } = await readDatasetCache(join(base, 'd2', 'datasets', 'r'));
    expect(splits.train.images.length).toBe(splits.train.count * 16 * 16 * 3);
  });

  it('takes class names from the import options over a classes.txt, and refuses too few', async () => {
    const dir = join(base, 'named');
    await mkdir(dir);
    const train = idxFiles(10, (i) => i % 2);
    await writeFile(join(dir, 'train-images-idx3-ubyte'), train.images);
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), train.labels);
    await writeFile(join(dir, 'classes.txt'), 'a\nb\n');
    const named = await importDataset(
      'n',
      importOptions.parse({ path: dir, classNames: ['left', 'right'] }),
      ctx(join(base, 'd4')),
    );
    expect(named.classes.map((c) => c.name)).toEqual(['left', 'right']);
    await writeFile(join(dir, 'classes.txt'), 'only one\n');
    await expect(
      importDataset('m', importOptions.parse({ path: dir }), ctx(join(base, 'd5'))),
    ).rejects.toMatchObject({
      code: 'IMPORT_FAILED',
      message: expect.stringMatching(/labels up to 1 but only 1 class names/),
    });
  });

  it('lists a truncated file as a problem and still imports the good pair', async () => {
    const dir = join(base, 'partly-bad');
    await mkdir(dir);
    const train = idxFiles(20, (i) => i % 2);
    const test = idxFiles(10, (i) => i % 2);
    await writeFile(join(dir, 'train-images-idx3-ubyte'), train.images);
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), train.labels);
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), test.images.subarray(0, 2000));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), test.labels);
    const detail = await importDataset('p', importOptions.parse({ path: dir }), ctx(join(base, 'd3')));
    expect(detail.imported).toBe(20);
    expect(detail.problems).toEqual([
      { path: 't10k-images-idx3-ubyte', reason: 'corrupt', detail: expect.stringMatching(/truncated/) },
    ]);
    expect(detail.split.test).toBe(2); // carved from train, as no readable test file was given
  });
});

describe('CIFAR-10 binary', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'prunelab-cifar-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  /** Record i: label, then R, G, B planes whose values encode (i, channel, position). */
  const value = (i: number, ch: number, p: number): number => (i * 53 + ch * 85 + p) & 255;
  function batch(first: number, count: number, labelOf: (i: number) => number): Uint8Array {
    const out = new Uint8Array(count * 3073);
    for (let r = 0; r < count; r++) {
      const i = first + r;
      out[r * 3073] = labelOf(i);
      for (let ch = 0; ch < 3; ch++)
        for (let p = 0; p < 1024; p++) out[r * 3073 + 1 + ch * 1024 + p] = value(i, ch, p);
    }
    return out;
  }

  it('turns planar records into interleaved HWC pixels', () => {
    const { images, labels } = parseCifarBatch(batch(0, 2, (i) => i + 4));
    expect([...labels]).toEqual([4, 5]);
    expect([...images.subarray(3072 + 3 * 10, 3072 + 3 * 10 + 3)]).toEqual([
      value(1, 0, 10),
      value(1, 1, 10),
      value(1, 2, 10),
    ]);
    expect(() => parseCifarBatch(new Uint8Array(3074))).toThrow(/whole number of 3073-byte records/);
  });

  it('imports data_batch_* as training and test_batch as test, names from batches.meta.txt; a damaged batch is a problem', async () => {
    const dir = join(base, 'cifar-10-batches-bin');
    await mkdir(dir);
    await writeFile(
      join(dir, 'data_batch_1.bin'),
      batch(0, 30, (i) => i % 3),
    );
    await writeFile(
      join(dir, 'data_batch_2.bin'),
      batch(30, 30, (i) => i % 3),
    );
    await writeFile(join(dir, 'data_batch_3.bin'), batch(60, 2, () => 0).subarray(0, 5000));
    await writeFile(
      join(dir, 'test_batch.bin'),
      batch(100, 9, (i) => (i + 2) % 3),
    );
    await writeFile(join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\n\n');
    expect((await detectSource(dir)).kind).toBe('cifar');

    const dataDir = join(base, 'data');
    const detail = await importDataset('c', importOptions.parse({ path: dir }), ctx(dataDir));
    expect(detail.kind).toBe('cifar');
    expect(detail.classes.map((c) => c.name)).toEqual(['airplane', 'automobile', 'bird']);
    expect(detail.inputShape).toEqual([32, 32, 3]);
    expect(detail.imported).toBe(69);
    expect(detail.problems.map((p) => [p.path, p.reason])).toEqual([['data_batch_3.bin', 'corrupt']]);
    expect(detail.split.test).toBe(9);

    const { splits } = await readDatasetCache(join(dataDir, 'datasets', 'c'));
    const test = byPixels(splits.test);
    for (let i = 100; i < 109; i++) {
      const hwc = new Uint8Array(3072);
      for (let p = 0; p < 1024; p++) for (let ch = 0; ch < 3; ch++) hwc[3 * p + ch] = value(i, ch, p);
      expect(test.get(Buffer.from(hwc).toString('hex'))).toBe((i + 2) % 3);
    }
  });
});
