// Dataset requests end to end with the real worker and engine on a tiny folder: import, get, samples from
// the cache, export back to PNG folders, delete (row and cache). Plus system.info and presets.list.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../src/main/services';
import type { DatasetDetail, PresetInfo, SystemInfo } from '../../src/shared/dto';
import type { Events } from '../../src/shared/api';
import { tinyDataset } from '../cli/helpers';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-datasets-'));
let services: AppServices;

async function call<T>(name: string, payload: unknown): Promise<T> {
  const result = await services.dispatch(name, payload);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

beforeAll(async () => {
  services = await createAppServices({ dataDir: join(dir, 'data'), mode: 'serve' });
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dataset requests with the real worker', () => {
  let dataset: DatasetDetail;

  it('imports through a job, emits progress and dataset.changed, and remembers the path', async () => {
    const source = tinyDataset(dir, 2, 10);
    const progress: Events['job.progress'][] = [];
    const changed: Events['dataset.changed'][] = [];
    services.subscribe('job.progress', (p) => progress.push(p));
    services.subscribe('dataset.changed', (c) => changed.push(c));
    const { jobId } = await call<{ jobId: string }>('datasets.import', { path: source, name: 'tiny' });
    const result = await services.waitForJob(jobId);
    expect(result.status, JSON.stringify(result.error)).toBe('done');
    const list = await call<{ id: string; name: string; imported: number }[]>('datasets.list', {});
    expect(list.map((d) => [d.name, d.imported])).toEqual([['tiny', 20]]);
    dataset = await call<DatasetDetail>('datasets.get', { id: list[0]!.id });
    expect(progress.length).toBeGreaterThan(0);
    expect(
      progress.every((p) => p.jobId === jobId && p.kind === 'import' && p.datasetId === dataset.id),
    ).toBe(true);
    expect(changed).toEqual([{ datasetId: dataset.id, change: 'imported' }]);
    expect((await call<{ recentDatasets: string[] }>('settings.get', {})).recentDatasets).toEqual([source]);
  });

  it('pages samples out of the cache as PNG data URLs', async () => {
    const page = await call<{ total: number; items: { dataUrl: string; split: string }[] }>(
      'datasets.samples',
      {
        id: dataset.id,
        split: 'train',
        limit: 3,
      },
    );
    expect(page.total).toBe(dataset.split.train);
    expect(page.items).toHaveLength(3);
    expect(page.items[0]!.dataUrl.startsWith('data:image/png;base64,')).toBe(true);
  });

  it('exports the dataset back to class folders of PNGs', async () => {
    const outDir = join(dir, 'exported');
    const { jobId } = await call<{ jobId: string }>('datasets.exportImages', { id: dataset.id, outDir });
    const result = await services.waitForJob(jobId);
    expect(result.status, JSON.stringify(result.error)).toBe('done');
    expect((result.result as { files: number }).files).toBe(20);
    expect(readdirSync(outDir, { recursive: true }).filter((f) => String(f).endsWith('.png'))).toHaveLength(
      20,
    );
  });

  it('reports the backend, the missing pieces and the presets that fit a dataset', async () => {
    const info = await call<SystemInfo>('system.info', {});
    expect(info.mode).toBe('serve');
    expect(info.dataDir).toBe(join(dir, 'data'));
    expect(['tensorflow', 'wasm', 'cpu']).toContain(info.backend.name);
    expect(info.backend.reason.length).toBeGreaterThan(0);
    expect(Array.isArray(info.missing)).toBe(true);
    const presets = await call<PresetInfo[]>('presets.list', { inputShape: [28, 28, 1], classes: 2 });
    expect(presets.map((p) => p.name)).toContain('keras-cifar-cnn');
    expect(presets.every((p) => p.parameters > 0 && p.flopsPerImage > 0)).toBe(true);
  });

  it('offers the existing dataset when the same content is imported again, and copies only when asked', async () => {
    const source = join(dir, 'tiny'); // the folder the first test imported
    const finished: Events['job.finished'][] = [];
    const off = services.subscribe('job.finished', (f) => finished.push(f));
    const again = await call<{ jobId: string }>('datasets.import', { path: source });
    const reused = await services.waitForJob(again.jobId);
    expect(reused.status).toBe('done');
    expect(reused.duplicateOf).toEqual({ datasetId: dataset.id, name: 'tiny' });
    expect(finished.at(-1)).toMatchObject({ jobId: again.jobId, duplicateOf: { datasetId: dataset.id } });
    expect((await call<DatasetDetail[]>('datasets.list', {})).map((d) => d.id)).toEqual([dataset.id]);
    // nothing of the discarded copy stays on disk
    await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(join(dir, 'data', 'datasets'))).toEqual([dataset.id]);

    const copy = await call<{ jobId: string }>('datasets.import', { path: source, duplicate: 'copy' });
    const copied = await services.waitForJob(copy.jobId);
    off();
    expect(copied.duplicateOf).toBeUndefined();
    const list = await call<DatasetDetail[]>('datasets.list', {});
    expect(list.map((d) => d.name)).toEqual(['tiny (2)', 'tiny']);
    expect(list[0]!.contentHash).toBe(dataset.contentHash);
    expect(dataset.contentHash).toMatch(/^[0-9a-f]{64}$/);
    await call('datasets.delete', { id: list[0]!.id });
  });

  it('hashes a dataset recorded without a hash when a re-import could match it', async () => {
    services.store.db.prepare('UPDATE datasets SET content_hash = NULL').run();
    const { jobId } = await call<{ jobId: string }>('datasets.import', { path: join(dir, 'tiny') });
    const result = await services.waitForJob(jobId);
    expect(result.duplicateOf?.datasetId).toBe(dataset.id);
    expect((await call<DatasetDetail>('datasets.get', { id: dataset.id })).contentHash).toBe(
      dataset.contentHash,
    );
  });

  it('new content under a taken folder name gets a name that says what differs', async () => {
    const bigger = tinyDataset(join(dir, 'bigger'), 2, 12); // also a folder named "tiny"
    const { jobId } = await call<{ jobId: string }>('datasets.import', { path: bigger });
    const result = await services.waitForJob(jobId);
    expect(result.status, JSON.stringify(result.error)).toBe('done');
    const created = await call<DatasetDetail>('datasets.get', { id: (result.result as { id: string }).id });
    expect(created.name).toBe('tiny (24 images)');
    expect(created.contentHash).not.toBe(dataset.contentHash);
    // an explicit name that is taken is refused before any work
    expect(await services.dispatch('datasets.import', { path: bigger, name: 'TINY' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringContaining('"tiny" already exists') },
    });
    await call('datasets.delete', { id: created.id });
  });

  it('renames, announcing it; a taken name is a CONFLICT', async () => {
    const changed: Events['dataset.changed'][] = [];
    const off = services.subscribe('dataset.changed', (c) => changed.push(c));
    const renamed = await call<DatasetDetail>('datasets.rename', { id: dataset.id, name: 'tiny shoes' });
    off();
    expect(renamed.name).toBe('tiny shoes');
    expect(changed).toEqual([{ datasetId: dataset.id, change: 'renamed' }]);
    expect(await services.dispatch('datasets.rename', { id: dataset.id, name: '  ' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    dataset = renamed;
  });

  it('deletes a dataset that runs use only when told to delete them too, and says how many went', async () => {
    const { runId } = await call<{ runId: string; jobId: string }>('runs.start', {
      config: { datasetId: dataset.id, train: { preset: 'lenet5', epochs: 1, batchSize: 8 } },
    });
    await Promise.all((await call<{ id: string }[]>('jobs.list', {})).map((j) => services.waitForJob(j.id)));
    expect((await call<DatasetDetail>('datasets.get', { id: dataset.id })).runCount).toBe(1);
    expect(await services.dispatch('datasets.delete', { id: dataset.id })).toMatchObject({
      ok: false,
      error: {
        code: 'CONFLICT',
        message: expect.stringContaining('"tiny shoes" is used by 1 run; deleting it also deletes them'),
        details: { runCount: 1 },
      },
    });
    expect(existsSync(join(dir, 'data', 'runs', runId))).toBe(true);
    const cache = join(dir, 'data', 'datasets', dataset.id);
    expect(await call('datasets.delete', { id: dataset.id, deleteRuns: true })).toEqual({
      deleted: true,
      runsDeleted: 1,
    });
    expect(existsSync(cache)).toBe(false);
    expect(existsSync(join(dir, 'data', 'runs', runId))).toBe(false);
    expect(await services.dispatch('runs.get', { id: runId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: `no run with id ${runId}` },
    });
  });

  it('an import whose every file is left out fails with the doctor’s list in the error details', async () => {
    const broken = join(dir, 'broken');
    for (const cls of ['cat', 'dog']) {
      mkdirSync(join(broken, cls), { recursive: true });
      writeFileSync(join(broken, cls, 'x.png'), 'not an image');
    }
    const finished: Events['job.finished'][] = [];
    const off = services.subscribe('job.finished', (f) => finished.push(f));
    const { jobId } = await call<{ jobId: string }>('datasets.import', { path: broken });
    const result = await services.waitForJob(jobId);
    off();
    expect(result.status).toBe('failed');
    const expected = {
      code: 'IMPORT_FAILED',
      message: expect.stringContaining('(2 file(s) were left out, listed below)'),
      details: {
        problems: [
          expect.objectContaining({ path: 'cat/x.png', reason: 'not-an-image' }),
          expect.objectContaining({ path: 'dog/x.png', reason: 'not-an-image' }),
        ],
      },
    };
    expect(result.error).toEqual(expected);
    expect(finished.find((f) => f.jobId === jobId)?.error).toEqual(expected);
  });

  it('names the bundled sample "<folder> (sample)"', async () => {
    const sampleServices = await createAppServices({
      dataDir: join(dir, 'sample-data'),
      mode: 'serve',
      sampleDatasetPath: join(dir, 'tiny'),
    });
    try {
      const started = await sampleServices.dispatch('datasets.import', { path: join(dir, 'tiny') });
      const { jobId } = (started as { ok: true; value: { jobId: string } }).value;
      const result = await sampleServices.waitForJob(jobId);
      expect((result.result as DatasetDetail).name).toBe('tiny (sample)');
    } finally {
      await sampleServices.close();
    }
  });
});

describe('deleting an unused dataset', () => {
  let dataset: DatasetDetail;
  beforeAll(async () => {
    const { jobId } = await call<{ jobId: string }>('datasets.import', {
      path: tinyDataset(join(dir, 'again'), 2, 10),
    });
    const result = await services.waitForJob(jobId);
    expect(result.status, JSON.stringify(result.error)).toBe('done');
    dataset = await call<DatasetDetail>('datasets.get', { id: (result.result as { id: string }).id });
  });

  it('deletes the dataset row and its cache folder', async () => {
    const cache = join(dir, 'data', 'datasets', dataset.id);
    expect(existsSync(cache)).toBe(true);
    expect(await call('datasets.delete', { id: dataset.id })).toEqual({ deleted: true, runsDeleted: 0 });
    expect(existsSync(cache)).toBe(false);
    expect(await services.dispatch('datasets.get', { id: dataset.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});
