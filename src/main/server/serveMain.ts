// What `prunelab serve` runs: services on the data directory, the built renderer, the server; prints
// the URL and keeps serving until the signal aborts, then stops jobs, closes the store and the server.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { writeLaunchFile, type LaunchFile } from './launchFile';
import { ensureRendererBuilt } from './rendererBuild';
import { openBrowser } from './openBrowser';
import { startServer, type RunningServer } from './startServer';
import type { UploadLimits } from './uploadLimits';
import type { ServedApi } from './types';

export const DEFAULT_PORT = 7370;

export interface ClosableApi extends ServedApi {
  close(): Promise<void>;
}

export interface ServeOptions {
  dataDir: string;
  host?: string;
  /** An explicit port must be free; without one the default is tried, then any free port. */
  port?: number;
  open?: boolean;
  /** How the browser is opened (tests pass their own); it is given a launch file, never the token. */
  openBrowser?: (target: string) => void;
  /** Where the private launch file's folder is made (default: the OS temp folder). */
  launchDir?: string;
  /** An unused launch file is deleted after this long (default 2 minutes). */
  launchFileTtlMs?: number;
  /** The port tried first when none is given (tests pass their own). */
  defaultPort?: number;
  /** Serve the API only (no UI build); for tests and headless use. */
  apiOnly?: boolean;
  projectRoot?: string;
  createServices(dataDir: string): Promise<ClosableApi>;
  /** Caps on browser uploads (defaults: wireLimits). */
  uploadLimits?: Partial<UploadLimits>;
  log?: (line: string) => void;
}

export interface ServeSession {
  server: RunningServer;
  services: ClosableApi;
  rendererDir: string | null;
  /** Stops the server, then the services (jobs stopped, database closed). */
  close(): Promise<void>;
}

/** The repository root, from this file's place in src/main/server. */
export function defaultProjectRoot(): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
}

function isAddressInUse(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'EADDRINUSE';
}

/** Opens the browser on a private launch file, deleted once the page is opened with the token. */
async function openWithLaunchFile(server: RunningServer, options: ServeOptions): Promise<LaunchFile> {
  const launch = await writeLaunchFile(server.url, options.launchDir);
  const expiry = setTimeout(() => void launch.remove(), options.launchFileTtlMs ?? 120_000);
  expiry.unref();
  const off = server.onTokenPage(() => {
    off();
    clearTimeout(expiry);
    void launch.remove();
  });
  (options.openBrowser ?? openBrowser)(launch.url);
  return launch;
}

export async function startServe(options: ServeOptions): Promise<ServeSession> {
  const log = options.log ?? (() => {});
  const rendererDir = options.apiOnly
    ? null
    : await ensureRendererBuilt({ projectRoot: options.projectRoot ?? defaultProjectRoot(), log });
  const services = await options.createServices(options.dataDir);
  const base = {
    api: services,
    dataDir: options.dataDir,
    host: options.host ?? '127.0.0.1',
    rendererDir,
    ...(options.uploadLimits ? { uploadLimits: options.uploadLimits } : {}),
  };
  const defaultPort = options.defaultPort ?? DEFAULT_PORT;
  let server: RunningServer;
  try {
    try {
      server = await startServer({ ...base, port: options.port ?? defaultPort });
    } catch (err) {
      if (options.port !== undefined || !isAddressInUse(err)) throw err;
      log(`port ${defaultPort} is busy: using a free one`);
      server = await startServer({ ...base, port: 0 });
    }
  } catch (err) {
    await services.close();
    throw err;
  }
  let launch: LaunchFile | null = null;
  if (options.open) {
    try {
      launch = await openWithLaunchFile(server, options);
    } catch (err) {
      // No launch file (a read-only temp folder…): the printed URL is still there to open.
      log(`could not open the browser: ${(err as Error).message}`);
    }
  }
  let closing: Promise<void> | null = null;
  return {
    server,
    services,
    rendererDir,
    close() {
      closing ??= server
        .close()
        .finally(() => launch?.remove())
        .finally(() => services.close());
      return closing;
    },
  };
}
