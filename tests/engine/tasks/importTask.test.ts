import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importOptions } from '../../../src/shared/schemas';
import { readDatasetCache, readDatasetSamples } from '../../../src/main/engine/data/cache';
import { importTask } from '../../../src/main/engine/tasks/importTask';
import type { TaskEvent } from '../../../src/main/engine/types';

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
    expect(detail.split).toEqual({ train: 2400, validation: 300, test: 300, seed: 42, fromFolders: false });

    const phases = new Set(events.flatMap((e) => (e.type === 'progress' ? [e.phase] : [])));
    expect(phases).toContain('decode');
    expect(phases).toContain('write');

    const { detail: cached, splits } = await readDatasetCache(join(dataDir, 'datasets', 'sample'));
    expect(cached).toEqual(detail);
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
