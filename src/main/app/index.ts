// The Electron entry (electron-vite builds it to out/main/index.js). Loads Electron at run time — its
// package is optional and absent on machines that cannot download the binary (see bin/start.js) —
// and hands it to createMainApp with the real services.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppServices } from '../services';
import { resolveDataDir } from '../services/dataDir';
import { serveWorkersIfQueued } from '../server/coordinatorServer';
import type { ElectronMain } from './electronTypes';
import { createMainApp } from './mainApp';

export const APP_ID = 'org.prunelab.app';

const electron = createRequire(import.meta.url)('electron') as ElectronMain;
const here = dirname(fileURLToPath(import.meta.url));
const dataDirFlag = process.argv.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length);

// Installed builds carry resources/ next to the asar (electron-builder extraResources).
const resources = electron.app.isPackaged
  ? (process as NodeJS.Process & { resourcesPath: string }).resourcesPath
  : join(here, '..', '..', 'resources');

electron.app.setAppUserModelId?.(APP_ID);

const mainApp = createMainApp({
  electron,
  // With a queue set in the app's settings, the app also serves the routes its workers talk to.
  createServices: async ({ dataDir, launcher, reveal }) =>
    serveWorkersIfQueued(await createAppServices({ dataDir, mode: 'electron', launcher, reveal }), {
      dataDir,
      log: (line) => console.error(line),
    }),
  dataDir: resolveDataDir({ flag: dataDirFlag, env: process.env }),
  preloadPath: join(here, '..', 'preload', 'index.cjs'),
  rendererDir: join(here, '..', 'renderer'),
  devServerUrl: process.env.ELECTRON_RENDERER_URL ?? null,
  workerEntry: join(here, 'worker.js'),
  argv: process.argv,
  cwd: process.cwd(),
  platform: process.platform,
  iconPath: join(resources, 'icons', electron.app.isPackaged ? '512x512.png' : 'icon.png'),
});

void mainApp.start();
