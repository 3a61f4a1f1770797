// A real server over the fake API in a fresh data directory, started before each test and closed (with
// its directory removed) after it — the setup the serve-mode tests share.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/main/server/startServer';
import { createFakeApi, type FakeApi } from './fakeApi';

export interface FakeApiServer {
  readonly dir: string;
  readonly api: FakeApi;
  readonly server: RunningServer;
}

type ExtraOptions = Omit<StartServerOptions, 'api' | 'dataDir' | 'rendererDir' | 'token'>;

/** Registers the hooks; read `dir`, `api` and `server` inside a test, once the hook has run. */
export function useFakeApiServer(
  dirPrefix: string,
  token: string,
  options: ExtraOptions = {},
): FakeApiServer {
  let current: { dir: string; api: FakeApi; server: RunningServer } | null = null;
  beforeEach(async () => {
    const dir = await mkdtemp(join(tmpdir(), dirPrefix));
    const api = createFakeApi();
    const server = await startServer({ api, dataDir: dir, rendererDir: null, token, ...options });
    current = { dir, api, server };
  });
  afterEach(async () => {
    if (!current) return;
    await current.server.close();
    await rm(current.dir, { recursive: true, force: true });
    current = null;
  });
  const started = () => {
    if (!current) throw new Error('the server starts in beforeEach: read it inside a test');
    return current;
  };
  return {
    get dir() {
      return started().dir;
    },
    get api() {
      return started().api;
    },
    get server() {
      return started().server;
    },
  };
}
