// Serve mode on the real services (store + jobs + the real worker) in a temp data directory.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../src/main/services';
import { startServer, type RunningServer } from '../../src/main/server/startServer';
import { describeSource } from '../../src/shared/datasetWords';
import type { DatasetDetail, DatasetSummary, Settings } from '../../src/shared/dto';
import { wirePaths } from '../../src/shared/wire';
import { openSocket, rawRequest, requestEach } from './http';
import { hostileCases } from './hostilePayloads';

const TOKEN = 'real-services-token-0123456789';
const headers = { 'x-prunelab-token': TOKEN };

let dir: string;
let services: AppServices;
let server: RunningServer;
let uploadedId: string | undefined;

/** Every file under root with its size, except the database files (checked through the API instead). */
async function snapshot(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && !e.name.startsWith('prunelab.db'));
  return Promise.all(
    files.map(async (e) => `${join(e.parentPath, e.name)}:${(await stat(join(e.parentPath, e.name))).size}`),
  ).then((list) => list.sort());
}

async function request<T>(name: string, payload: unknown): Promise<T> {
  const res = await rawRequest(server.port, {
    method: 'POST',
    path: `/api/request/${name}`,
    headers,
    body: JSON.stringify(payload),
  });
  const body = res.json() as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${name}: ${body.error?.message}`);
  return body.value;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prunelab-served-'));
  services = await createAppServices({ dataDir: join(dir, 'data'), mode: 'serve' });
  server = await startServer({ api: services, dataDir: join(dir, 'data'), rendererDir: null, token: TOKEN });
});

afterAll(async () => {
  await server.close();
  await services.close();
  await rm(dir, { recursive: true, force: true });
});

describe('serve mode on the real services', () => {
  it('answers 1,000 hostile requests with typed VALIDATION errors, keeps serving, and writes nothing', async () => {
    const settingsBefore = await request<Settings>('settings.get', {});
    const filesBefore = await snapshot(dir);
    const cases = hostileCases(1000, 11);
    const { ws } = await openSocket(server.port, `?token=${TOKEN}`);
    if (!ws) throw new Error('socket should open');
    const answers = await requestEach(ws, cases);
    ws.close();
    const notValidation = answers.filter((a) => a.result.ok || a.result.error?.code !== 'VALIDATION');
    expect(
      notValidation.map((a) => ({
        ...cases[a.id],
        payloadJson: cases[a.id]?.payloadJson.slice(0, 200),
        answer: a.result,
      })),
    ).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await snapshot(dir)).toEqual(filesBefore);
    expect(await request<unknown[]>('datasets.list', {})).toEqual([]);
    expect(await request<unknown[]>('runs.list', {})).toEqual([]);
    expect(await request<unknown[]>('jobs.list', {})).toEqual([]);
    expect(await request<Settings>('settings.get', {})).toEqual(settingsBefore);
  });

  it('imports a folder uploaded from the browser through the real import job', async () => {
    const changed = new Promise<string>((resolve) =>
      services.subscribe('dataset.changed', (e) => {
        if (e.change === 'imported') resolve(e.datasetId);
      }),
    );
    const created = (
      await rawRequest(server.port, { method: 'POST', path: wirePaths.uploads, headers })
    ).json() as {
      value: { uploadId: string };
    };
    const { uploadId } = created.value;
    for (const [cls, shade] of [
      ['dark', 20],
      ['light', 230],
    ] as const) {
      for (let i = 0; i < 4; i++) {
        const png = await sharp({
          create: { width: 10, height: 10, channels: 3, background: { r: shade, g: shade + i, b: shade } },
        })
          .png()
          .toBuffer();
        const res = await rawRequest(server.port, {
          method: 'PUT',
          path: wirePaths.uploadFile(uploadId, `shades/${cls}/${i}.png`),
          headers,
          body: png,
        });
        expect(res.json()).toMatchObject({ ok: true });
      }
    }
    const started = (
      await rawRequest(server.port, {
        method: 'POST',
        path: wirePaths.uploadImport(uploadId),
        headers,
        body: JSON.stringify({
          name: 'shades',
          size: 8,
          channels: 1,
          split: { train: 0.5, validation: 0.25, test: 0.25 },
        }),
      })
    ).json() as { ok: boolean; value: { jobId: string } };
    expect(started.ok).toBe(true);
    const outcome = await services.waitForJob(started.value.jobId);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'done' });
    const datasetId = await changed;
    const datasets = await request<DatasetSummary[]>('datasets.list', {});
    expect(datasets.map((d) => d.id)).toEqual([datasetId]);
    expect(datasets[0]).toMatchObject({ name: 'shades', imported: 8, inputShape: [8, 8, 1] });
    expect(datasets[0]?.classes.map((c) => c.name).sort()).toEqual(['dark', 'light']);
    // The uploaded copy is removed once the import has read it.
    await expect
      .poll(async () =>
        (await readdir(join(dir, 'data', 'uploads'), { recursive: true })).filter((f) => f.endsWith('.png')),
      )
      .toEqual([]);
    uploadedId = datasetId;
  });

  it('keeps an uploaded dataset working after the server restarts, saying its upload folder is gone', async () => {
    expect(uploadedId).toBeDefined();
    await server.close();
    await services.close();
    services = await createAppServices({ dataDir: join(dir, 'data'), mode: 'serve' });
    server = await startServer({
      api: services,
      dataDir: join(dir, 'data'),
      rendererDir: null,
      token: TOKEN,
    });

    const dataset = await request<DatasetDetail>('datasets.get', { id: uploadedId });
    expect(dataset.origin).toBe('upload');
    await expect(stat(dataset.sourcePath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(describeSource(dataset)).toBe(
      'uploaded from a browser (folder "shades"); the uploaded copy was removed after import — the dataset lives in its cache',
    );
    // The gone folder is not offered as a recent path to import again.
    expect((await request<Settings>('settings.get', {})).recentDatasets).not.toContain(dataset.sourcePath);
    const samples = await request<{ total: number }>('datasets.samples', { id: uploadedId, split: 'train' });
    expect(samples.total).toBe(dataset.split.train);
    const presets = await request<{ name: string }[]>('presets.list', { inputShape: [8, 8, 1], classes: 2 });
    const { jobId } = await request<{ jobId: string }>('runs.start', {
      config: { datasetId: uploadedId, train: { preset: presets[0]!.name, epochs: 1, batchSize: 2 } },
    });
    const trained = await services.waitForJob(jobId);
    expect(trained.status, JSON.stringify(trained.error)).toBe('done');
  });
});
