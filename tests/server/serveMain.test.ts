import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServe } from '../../src/main/server/serveMain';
import { createFakeApi } from './fakeApi';
import { rawRequest } from './http';

let dir: string;
let blocker: Server;
let busyPort: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prunelab-servemain-'));
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  busyPort = (blocker.address() as AddressInfo).port;
});

afterEach(async () => {
  await new Promise((resolve) => blocker.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function closableFakeApi() {
  const services = { ...createFakeApi(), closed: 0, close: async () => void (services.closed += 1) };
  return services;
}

describe('startServe', () => {
  it('falls back to a free port when the default one is taken, and closes the services on close', async () => {
    const services = closableFakeApi();
    const logs: string[] = [];
    const session = await startServe({
      dataDir: dir,
      apiOnly: true,
      defaultPort: busyPort,
      createServices: async () => services,
      log: (line) => logs.push(line),
    });
    expect(session.server.port).not.toBe(busyPort);
    expect(logs).toEqual([`port ${busyPort} is busy: using a free one`]);
    expect(session.rendererDir).toBeNull();
    const token = session.server.token;
    const res = await rawRequest(session.server.port, {
      method: 'POST',
      path: '/api/request/jobs.list',
      headers: { 'x-prunelab-token': token },
      body: '{}',
    });
    expect(res.json()).toMatchObject({ ok: true });
    await session.close();
    expect(services.closed).toBe(1);
  });

  it('refuses an explicit port that is taken, closing the services it opened', async () => {
    const services = closableFakeApi();
    await expect(
      startServe({ dataDir: dir, apiOnly: true, port: busyPort, createServices: async () => services }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(services.closed).toBe(1);
  });
});
