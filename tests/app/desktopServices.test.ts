// The main-process wiring on the real services (store + jobs) with a scripted worker: quitting the app
// while a run trains stops the worker, marks the run resumable and closes the database.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMainApp, type MainAppOptions } from '../../src/main/app/mainApp';
import { createAppServices, createForkLauncher, type AppServices } from '../../src/main/services';
import { openStore } from '../../src/main/store';
import { ipcRequestChannel } from '../../src/shared/ipc';
import type { Result } from '../../src/shared/errors';
import { hostileCases } from '../server/hostilePayloads';
import { createFakeElectron, FakeBrowserWindow } from './fakeElectron';

const scriptedWorker = fileURLToPath(new URL('../services/fixtures/scriptedWorker.ts', import.meta.url));

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prunelab-desktop-'));
  await mkdir(join(dir, 'renderer'), { recursive: true });
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html>');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the app with its page in `dir`; returns it, its window and the IPC sender of its own page. */
async function startApp(
  electron: MainAppOptions['electron'],
  dataDir: string,
  createServices: MainAppOptions['createServices'],
) {
  const app = createMainApp({
    electron,
    createServices,
    dataDir,
    preloadPath: '/p.cjs',
    rendererDir: join(dir, 'renderer'),
    devServerUrl: null,
    workerEntry: '/unused.js',
    argv: ['/e', '/app'],
    cwd: dir,
    platform: 'linux',
  });
  await app.start();
  const window = FakeBrowserWindow.created[0]!;
  const ours = {
    sender: window.webContents,
    senderFrame: { url: 'app://prunelab/index.html', parent: null },
  };
  return { app, window, ours };
}

describe('the desktop app on the real services', () => {
  it('on quit stops the running job (run becomes interrupted) and closes the database', async () => {
    const electron = createFakeElectron();
    const dataDir = join(dir, 'data');
    let services: AppServices | null = null;
    const { app, window, ours } = await startApp(electron, dataDir, async ({ reveal }) => {
      services = await createAppServices({
        dataDir,
        mode: 'electron',
        reveal,
        launcher: createForkLauncher({ entry: scriptedWorker }),
        flushIntervalMs: 20,
      });
      return services;
    });
    const call = async <T>(name: Parameters<typeof ipcRequestChannel>[0], payload: unknown): Promise<T> => {
      const result = (await electron.invoke(ipcRequestChannel(name), ours, payload)) as Result<T>;
      if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
      return result.value;
    };
    const { jobId } = await call<{ jobId: string }>('datasets.import', { path: '/scripted/images' });
    expect((await services!.waitForJob(jobId)).status).toBe('done');
    const [dataset] = await call<{ id: string }[]>('datasets.list', {});
    const running = new Promise<void>((resolve) => services!.subscribe('run.epoch', () => resolve()));
    const { runId } = await call<{ runId: string }>('runs.start', {
      config: { datasetId: dataset!.id, train: { epochs: 1000 } },
    });
    await running;
    expect(window.progress.length).toBeGreaterThan(0);

    let prevented = false;
    electron.app.emit('before-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await app.shutdown;
    expect(electron.app.quitCalls).toBe(1);
    expect(services!.store.db.open).toBe(false);

    const reopened = openStore(join(dataDir, 'prunelab.db'));
    try {
      expect(reopened.runs.get(runId)?.status).toBe('interrupted');
    } finally {
      reopened.close();
    }
  });

  it('answers hostile IPC payloads from our own page with VALIDATION errors, touching nothing', async () => {
    const electron = createFakeElectron();
    const dataDir = join(dir, 'data');
    let services: AppServices | null = null;
    const { app, ours } = await startApp(
      electron,
      dataDir,
      async ({ reveal }) => (services = await createAppServices({ dataDir, mode: 'electron', reveal })),
    );
    const knownChannels = new Set(electron.handlers.keys());
    const wrong: unknown[] = [];
    let checked = 0;
    for (const c of hostileCases(1000, 3)) {
      const channel = ipcRequestChannel(c.name as Parameters<typeof ipcRequestChannel>[0]);
      // An unknown name has no channel at all: preload cannot even address it.
      if (!knownChannels.has(channel)) continue;
      checked += 1;
      const answer = (await electron.invoke(channel, ours, JSON.parse(c.payloadJson))) as Result<unknown>;
      if (answer.ok || answer.error.code !== 'VALIDATION')
        wrong.push({ case: c.family, name: c.name, answer });
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(850);
    expect(services!.store.datasets.list()).toEqual([]);
    expect(services!.store.runs.list({})).toEqual([]);
    electron.app.emit('before-quit', { preventDefault: () => undefined });
    await app.shutdown;
  });
});
