import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importOptions } from '../../../src/shared/schemas';
import { readDatasetCache, readDatasetSamples } from '../../../src/main/engine/data/cache';
import { importTask } from '../../../src/main/engine/tasks/importTask';
import type { TaskEvent } from '../../../src/main/engine/types';
import { make } from '../data/fixtures/images';

const samplePath = join(import.meta.dirname, '..', '..', '..', 'resources', 'sample', 'fashion-mnist');

describe('importTask on the bundled sample', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'prunelab-import-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('imports 10 classes × 300 gray 28×28 images, splits 80/10/10 and caches them', async () => {
    const events: TaskEvent[] = [];
    const detail = await importTask(
      { datasetId: 'sample', options: importOptions.parse({ path: samplePath }) },
      { signal: new AbortController().signal, dataDir, emit: (e) => events.push(e) },
    );
    expect(detail.kind).toBe('folder');
    expect(detail.imported).toBe(3000);
    expect(detail.problems).toEqual([]);
    expect(detail.inputShape).toEqual([28, 28, 1]);
    expect(detail.channelMix).toEqual({ gray: 3000 });
    expect(detail.classes.map((c) => c.name)).toEqual([
      'Ankle boot',
      'Bag',
      'Coat',
      'Dress',
      'Pullover',
      'Sandal',
      'Shirt',
      'Sneaker',
      'T-shirt_top',
      'Trouser',
    ]);
    for (const c of detail.classes)
      expect([c.count, c.train, c.validation, c.test]).toEqual([300, 240, 30, 30]);
    expect(detail.split).toEqual({
      train: 2400,
      validation: 300,
      test: 300,
      seed: 42,
      fromFolders: false,
      given: [],
    });
    expect(detail.contentHash).toMatch(/^[0-9a-f]{64}$/);

    const phases = new Set(events.flatMap((e) => (e.type === 'progress' ? [e.phase] : [])));
    expect(phases).toContain('decode');
    expect(phases).toContain('write');

    const { detail: cached, splits } = await readDatasetCache(join(dataDir, 'datasets', 'sample'));
    const { earlierHashes, ...recorded } = detail;
    expect(earlierHashes).toEqual({});
    expect(cached).toEqual(recorded);
    expect(splits.classes).toEqual(detail.classes.map((c) => c.name));
    expect(splits.train.images).toBeInstanceOf(Uint8Array);
    expect(splits.train.images.length).toBe(2400 * 28 * 28);
    expect(splits.test.labels).toBeInstanceOf(Uint16Array);
    expect([...new Set(splits.test.labels)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // no temp folder left next to the dataset
    expect(await readdir(join(dataDir, 'datasets'))).toEqual(['sample']);

    const page = await readDatasetSamples(join(dataDir, 'datasets', 'sample'), {
      split: 'test',
      classIndex: 3,
      offset: 0,
      limit: 5,
    });
    expect(page.total).toBe(30);
    expect(page.items).toHaveLength(5);
    for (const item of page.items) {
      expect(item.label).toBe(3);
      expect(splits.test.labels[item.index]).toBe(3);
      expect(item.dataUrl.startsWith('data:image/png;base64,')).toBe(true);
    }
  });
});

describe('importTask: cancel, split folders, overrides', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'prunelab-import-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each(['scan', 'decode', 'write'])(
    'a cancel during %s rejects with AbortError and leaves no half dataset',
    async (phase) => {
      const controller = new AbortController();
      const seen: string[] = [];
      const run = importTask(
        { datasetId: 'cancelled', options: importOptions.parse({ path: samplePath }) },
        {
          signal: controller.signal,
          dataDir,
          emit: (e) => {
            if (e.type !== 'progress') return;
            seen.push(e.phase);
            if (e.phase === phase) controller.abort();
          },
        },
      );
      await expect(run).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toContain(phase);
      expect(await readdir(join(dataDir, 'datasets'))).toEqual([]);
    },
  );

  it('progress is monotonic with a fixed total per phase', async () => {
    const events: TaskEvent[] = [];
    await importTask(
      { datasetId: 'p', options: importOptions.parse({ path: samplePath }) },
      { signal: new AbortController().signal, dataDir, emit: (e) => events.push(e) },
    );
    const decode = events.flatMap((e) => (e.type === 'progress' && e.phase === 'decode' ? [e] : []));
    expect(decode.length).toBeGreaterThan(10);
    expect(decode.every((e) => e.total === 3000)).toBe(true);
    expect(decode.map((e) => e.done)).toEqual([...decode.map((e) => e.done)].sort((a, b) => a - b));
    expect(decode.at(-1)?.done).toBe(3000);
  });

  it('honours train/val/test folders and the size, channel and resize overrides', async () => {
    const root = join(dataDir, 'split-source');
    for (const [split, n] of [
      ['train', 6],
      ['val', 2],
      ['test', 3],
    ] as const)
      for (const cls of ['ants', 'bees'])
        for (let i = 0; i < n; i++)
          await mkdir(join(root, split, cls), { recursive: true }).then(async () =>
            writeFile(
              join(root, split, cls, `${i}.jpg`),
              await make.jpeg(split.length * 100 + i + (cls === 'ants' ? 0 : 50), 30, 20),
            ),
          );
    const detail = await importTask(
      {
        datasetId: 'folders',
        options: importOptions.parse({
          path: root,
          size: 24,
          channels: 1,
          resizeMode: 'pad',
          name: 'Ants & bees',
        }),
      },
      { signal: new AbortController().signal, dataDir, emit: () => {} },
    );
    expect(detail.name).toBe('Ants & bees');
    expect(detail.inputShape).toEqual([24, 24, 1]);
    expect(detail.resizeMode).toBe('pad');
    expect(detail.split).toEqual({
      train: 12,
      validation: 4,
      test: 6,
      seed: 42,
      fromFolders: true,
      given: ['train', 'validation', 'test'],
    });
    expect(detail.classes).toEqual([
      { name: 'ants', count: 11, train: 6, validation: 2, test: 3 },
      { name: 'bees', count: 11, train: 6, validation: 2, test: 3 },
    ]);
  });

  it('clears the temp folder of an import whose process was killed, but not of one still running', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const stale = join(dataDir, 'datasets', `.importing-old-${dead}-1`);
    const live = join(dataDir, 'datasets', `.importing-busy-${process.pid}-2`);
    await mkdir(join(stale, 'half'), { recursive: true });
    await mkdir(live, { recursive: true });
    await importTask(
      { datasetId: 'fresh', options: importOptions.parse({ path: samplePath }) },
      { signal: new AbortController().signal, dataDir, emit: () => {} },
    );
    expect((await readdir(join(dataDir, 'datasets'))).sort()).toEqual([
      `.importing-busy-${process.pid}-2`,
      'fresh',
    ]);
  });

  it('reimporting over an existing dataset id replaces it whole', async () => {
    const small = join(dataDir, 'small');
    await cp(join(samplePath, 'Bag'), join(small, 'Bag'), { recursive: true });
    await cp(join(samplePath, 'Coat'), join(small, 'Coat'), { recursive: true });
    const ctx = { signal: new AbortController().signal, dataDir, emit: () => {} };
    await importTask({ datasetId: 'same', options: importOptions.parse({ path: samplePath }) }, ctx);
    const second = await importTask(
      { datasetId: 'same', options: importOptions.parse({ path: small }) },
      ctx,
    );
    const { detail } = await readDatasetCache(join(dataDir, 'datasets', 'same'));
    const { earlierHashes: _none, ...recorded } = second;
    expect(detail).toEqual(recorded);
    expect(detail.imported).toBe(600);
  });

  it('hashes the caches of earlier unhashed datasets that could hold the same content, and only those', async () => {
    const ctx = { signal: new AbortController().signal, dataDir, emit: () => {} };
    const parse = (path: string) => importOptions.parse({ path });
    const small = join(dataDir, 'small');
    await cp(join(samplePath, 'Bag'), join(small, 'Bag'), { recursive: true });
    await cp(join(samplePath, 'Coat'), join(small, 'Coat'), { recursive: true });
    const old = await importTask({ datasetId: 'old', options: parse(small) }, ctx);
    const other = await importTask({ datasetId: 'other', options: parse(samplePath) }, ctx);
    const again = await importTask(
      { datasetId: 'again', options: parse(small), unhashedIds: ['old', 'other', 'gone'] },
      ctx,
    );
    // 'other' has other classes and sizes: not worth reading; 'gone' has no cache at all
    expect(again.earlierHashes).toEqual({ old: old.contentHash });
    expect(again.contentHash).toBe(old.contentHash);
    expect(other.contentHash).not.toBe(old.contentHash);
  });
});
