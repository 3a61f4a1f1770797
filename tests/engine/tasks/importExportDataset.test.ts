import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOptions } from '../../../src/shared/schemas';
import { readDatasetCache } from '../../../src/main/engine/data/cache';
import { exportDatasetTask } from '../../../src/main/engine/tasks/exportDatasetTask';
import { importTask } from '../../../src/main/engine/tasks/importTask';
import type { TaskEvent } from '../../../src/main/engine/types';

const samplePath = join(import.meta.dirname, '..', '..', '..', 'resources', 'sample', 'fashion-mnist');

describe('exportDatasetTask', () => {
  let base: string;
  const ctx = (events: TaskEvent[] = [], signal = new AbortController().signal) => ({
    signal,
    dataDir: join(base, 'data'),
    emit: (e: TaskEvent) => events.push(e),
  });
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'prunelab-dsexport-'));
    const src = join(base, 'three classes');
    for (const c of ['Bag', 'Coat', 'Sandal']) {
      await mkdir(join(src, c), { recursive: true });
      for (const f of (await readdir(join(samplePath, c))).sort().slice(0, 60))
        await cp(join(samplePath, c, f), join(src, c, f));
    }
    await importTask(
      { datasetId: 'orig', options: importOptions.parse({ path: src, name: 'Three: classes' }) },
      ctx(),
    );
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('writes split/class folders of PNGs that re-import to the very same pixels, labels and splits', async () => {
    const events: TaskEvent[] = [];
    const out = join(base, 'out');
    const result = await exportDatasetTask({ datasetId: 'orig', outDir: out }, ctx(events));
    expect(result).toEqual({ files: 180, outDir: join(out, 'Three_ classes') });
    expect((await readdir(result.outDir)).sort()).toEqual(['test', 'train', 'validation']);
    expect((await readdir(join(result.outDir, 'train'))).sort()).toEqual(['Bag', 'Coat', 'Sandal']);
    expect(events.some((e) => e.type === 'progress' && e.done === 180 && e.total === 180)).toBe(true);

    await importTask({ datasetId: 'again', options: importOptions.parse({ path: result.outDir }) }, ctx());
    const a = await readDatasetCache(join(base, 'data', 'datasets', 'orig'));
    const b = await readDatasetCache(join(base, 'data', 'datasets', 'again'));
    expect(b.detail.split).toMatchObject({ train: a.splits.train.count, fromFolders: true });
    expect(b.splits.classes).toEqual(a.splits.classes);
    for (const split of ['train', 'validation', 'test'] as const) {
      // the export names files by split index, so the re-import reads them back in the same order
      expect(Buffer.from(b.splits[split].images).equals(Buffer.from(a.splits[split].images))).toBe(true);
      expect(b.splits[split].labels).toEqual(a.splits[split].labels);
    }
  });

  it('never overwrites: a second export goes to a fresh folder', async () => {
    const out = join(base, 'out2');
    const first = await exportDatasetTask({ datasetId: 'orig', outDir: out }, ctx());
    const second = await exportDatasetTask({ datasetId: 'orig', outDir: out }, ctx());
    expect(second.outDir).toBe(`${first.outDir} (2)`);
  });

  it('a cancel leaves nothing behind', async () => {
    const out = join(base, 'out3');
    const controller = new AbortController();
    const progress: number[] = [];
    const run = exportDatasetTask(
      { datasetId: 'orig', outDir: out },
      {
        signal: controller.signal,
        dataDir: join(base, 'data'),
        emit: (e) => {
          if (e.type === 'progress') progress.push(e.done);
          controller.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(progress[0]).toBeLessThan(10); // cancelled early, not after the last file
    expect(await readdir(out)).toEqual([]);
  });
});
