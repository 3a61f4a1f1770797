// The client: envelopes become values or ApiErrors; the transport is chosen in one place.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/renderer/api/client';
import { MissingTokenError, pickClient } from '../../src/renderer/api/pickTransport';
import { createWebSocketBridge } from '../../src/renderer/api/websocketBridge';
import { ApiError } from '../../src/shared/errors';
import { createFakeApi } from './fakeApi';
import { makeRun } from './fixtures';

describe('createClient', () => {
  it('resolves the value of an ok envelope', async () => {
    const fake = createFakeApi({ runs: [makeRun({ id: 'r1' })] });
    await expect(fake.client.call('runs.get', { id: 'r1' })).resolves.toMatchObject({
      id: 'r1',
      name: 'dense s1',
    });
  });
  it('throws an ApiError carrying the code of an error envelope', async () => {
    const fake = createFakeApi();
    const err = await fake.client.call('runs.get', { id: 'missing' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('NOT_FOUND');
    expect((err as ApiError).message).toBe('run not found');
  });
});

describe('pickClient', () => {
  it('uses the preload bridge when Electron exposed one', async () => {
    const bridge = {
      requests: { 'settings.get': vi.fn(async () => ({ ok: true, value: { theme: 'dark' } })) },
      on: vi.fn(),
    };
    const client = pickClient({
      prunelab: bridge,
      location: new URL('file:///app/index.html'),
    } as unknown as Window);
    expect(client.transport).toBe('ipc');
    expect(client.uploadFolder).toBeNull();
    await expect(client.call('settings.get', {})).resolves.toEqual({ theme: 'dark' });
  });
  it('refuses to start in a browser without the token, saying where to get it', () => {
    expect(() => pickClient({ location: new URL('http://127.0.0.1:5000/') } as unknown as Window)).toThrow(
      MissingTokenError,
    );
  });
});

class FakeSocket extends EventTarget {
  static OPEN = 1;
  static CONNECTING = 0;
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  constructor(public url: string) {
    super();
    FakeSocket.instances.push(this);
  }
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code: 1000, reason: '' }));
  }
  open() {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }
  receive(data: unknown) {
    this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(data) }));
  }
}

describe('WebSocket bridge (serve mode)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeSocket.instances = [];
  });

  it('connects with the token, queues until open, answers by id and routes events', async () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    const { bridge, close } = createWebSocketBridge('http://127.0.0.1:4000', 'tok en');
    const socket = FakeSocket.instances[0]!;
    expect(socket.url).toBe('ws://127.0.0.1:4000/api/ws?token=tok%20en');
    const client = createClient(bridge, 'websocket');
    const answer = client.call('runs.list', {});
    expect(socket.sent).toEqual([]);
    socket.open();
    const req = JSON.parse(socket.sent[0]!);
    expect(req).toMatchObject({ type: 'request', name: 'runs.list', payload: {} });
    const seen: unknown[] = [];
    bridge.on('run.status', (e) => seen.push(e));
    socket.receive({ type: 'event', event: 'run.status', data: { runId: 'r', status: 'done', error: null } });
    socket.receive({
      type: 'response',
      id: req.id,
      result: { ok: false, error: { code: 'STORE', message: 'db locked' } },
    });
    await expect(answer).rejects.toMatchObject({ code: 'STORE', message: 'db locked' });
    expect(seen).toEqual([{ runId: 'r', status: 'done', error: null }]);
    close();
  });

  it('fails pending requests with a clear message when the socket drops', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    const { bridge } = createWebSocketBridge('http://127.0.0.1:4000', 't');
    const socket = FakeSocket.instances[0]!;
    socket.open();
    const pending = createClient(bridge, 'websocket').call('jobs.list', {});
    socket.readyState = 3;
    socket.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '' }));
    await expect(pending).rejects.toThrow(/lost the connection.*prunelab serve/);
    vi.advanceTimersByTime(2500);
    expect(FakeSocket.instances.length).toBe(2); // reconnected
    vi.useRealTimers();
  });

  it('tells its reconnect listeners when the socket opens again after a drop, not on the first open', () => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    const socketBridge = createWebSocketBridge('http://127.0.0.1:4000', 't');
    let reconnects = 0;
    const off = socketBridge.onReconnect(() => (reconnects += 1));
    FakeSocket.instances[0]!.open();
    expect(reconnects).toBe(0);
    const drop = (s: FakeSocket) => {
      s.readyState = 3;
      s.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '' }));
    };
    drop(FakeSocket.instances[0]!);
    vi.advanceTimersByTime(2500);
    expect(reconnects).toBe(0); // connecting is not connected
    FakeSocket.instances[1]!.open();
    expect(reconnects).toBe(1);
    off();
    drop(FakeSocket.instances[1]!);
    vi.advanceTimersByTime(2500);
    FakeSocket.instances[2]!.open();
    expect(reconnects).toBe(1);
    socketBridge.close();
    vi.useRealTimers();
  });

  it('serve mode hands the reconnect signal to the client; IPC has none', () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    const client = pickClient({
      location: new URL('http://127.0.0.1:5000/?token=abc'),
    } as unknown as Window);
    expect(client.transport).toBe('websocket');
    let reconnects = 0;
    client.onReconnect!(() => (reconnects += 1));
    const first = FakeSocket.instances[0]!;
    first.open();
    first.readyState = 3;
    first.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '' }));
    // a request reconnects at once (no need to wait for the timer)
    void client.call('jobs.list', {}).catch(() => undefined);
    FakeSocket.instances[1]!.open();
    expect(reconnects).toBe(1);
    expect(createClient({ requests: {}, on: vi.fn() } as never, 'ipc').onReconnect).toBeNull();
  });
});
