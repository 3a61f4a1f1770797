// A page that stops reading its socket (a frozen tab, a stalled network) must not make the server
// buffer every event for it forever: once its backlog passes the cap it is dropped, while a page that
// keeps reading gets every event.
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { useFakeApiServer } from './fakeApiServer';
import { openSocket } from './http';

const TOKEN = 'socket-backpressure-token-0123';

const served = useFakeApiServer('prunelab-socket-', TOKEN, { socketMaxBufferedBytes: 1024 * 1024 });

async function connect(): Promise<WebSocket> {
  const { ws } = await openSocket(served.server.port, `?token=${TOKEN}`);
  if (!ws) throw new Error('socket should open');
  return ws;
}

describe('serve mode: slow socket clients', () => {
  it('drops a client that does not drain, and keeps serving one that does', async () => {
    const reader = await connect();
    const stalled = await connect();
    let received = 0;
    reader.on('message', () => received++);
    // The stalled page's socket stops reading: bytes pile up on the server's side.
    (stalled as unknown as { _socket: Socket })._socket.pause();
    const message = 'x'.repeat(32 * 1024);
    const events = 400; // 12.5 MiB in all, far past the 1 MiB cap
    for (let i = 0; i < events; i++) {
      served.api.emit('job.progress', {
        jobId: 'j',
        kind: 'train',
        runId: null,
        datasetId: null,
        phase: 'train',
        done: i,
        total: events,
        message,
      });
      // Let the event loop write, as a real stream of events would.
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await expect.poll(() => received, { timeout: 20_000 }).toBe(events);
    // The server gave up on the stalled page: its connection is gone (the page reconnects and reloads).
    let stalledGot = 0;
    stalled.on('message', () => stalledGot++);
    const closed = new Promise<boolean>((resolve) => {
      stalled.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 5000);
    });
    (stalled as unknown as { _socket: Socket })._socket.resume();
    expect(await closed).toBe(true);
    expect(stalledGot).toBeLessThan(events);
    // The page that kept reading is still connected and served.
    expect(reader.readyState).toBe(reader.OPEN);
    reader.close();
  });
});
