// Dataset requests end to end with the real worker and engine on a tiny folder: import, get, samples from
// the cache, export back to PNG folders, delete (row and cache). Plus system.info and presets.list.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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

  it('deletes the dataset row and its cache folder', async () => {
    const cache = join(dir, 'data', 'datasets', dataset.id);
    expect(existsSync(cache)).toBe(true);
    expect(await call('datasets.delete', { id: dataset.id })).toEqual({ deleted: true });
    expect(existsSync(cache)).toBe(false);
    expect(await services.dispatch('datasets.get', { id: dataset.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});
