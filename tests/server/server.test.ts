import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/main/server/startServer';
import { createFakeApi, type FakeApi } from './fakeApi';
import { exchange, openSocket, rawRequest, requestEach } from './http';
import { hostileCases } from './hostilePayloads';

const TOKEN = 'test-token-0123456789abcdef';

let dir: string;
let api: FakeApi;
let server: RunningServer;

async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  return entries.sort();
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prunelab-server-'));
  const rendererDir = join(dir, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>PruneLab</title>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'outside the renderer');
  api = createFakeApi();
  server = await startServer({ api, dataDir: join(dir, 'data'), rendererDir, token: TOKEN, port: 0 });
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const withToken = { 'x-prunelab-token': TOKEN };

describe('serve mode: who may call', () => {
  it('binds to 127.0.0.1 and prints a URL that carries the token', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('answers 401 to an API call with no token or a wrong one, and 200 with the right one', async () => {
    const path = '/api/request/system.info';
    const none = await rawRequest(server.port, { method: 'POST', path, body: '{}' });
    const wrong = await rawRequest(server.port, {
      method: 'POST',
      path,
      body: '{}',
      headers: { 'x-prunelab-token': 'nope' },
    });
    const bearerWrong = await rawRequest(server.port, {
      method: 'POST',
      path,
      body: '{}',
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect([none.status, wrong.status, bearerWrong.status]).toEqual([401, 401, 401]);
    expect(none.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(api.calls).toEqual([]);
    const good = await rawRequest(server.port, { method: 'POST', path, body: '{}', headers: withToken });
    const bearer = await rawRequest(server.port, {
      method: 'POST',
      path,
      body: '',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const query = await rawRequest(server.port, {
      method: 'POST',
      path: `${path}?token=${TOKEN}`,
      body: '{}',
    });
    expect([good.status, bearer.status, query.status]).toEqual([200, 200, 200]);
    expect(good.json()).toEqual({ ok: true, value: { echoed: 'system.info' } });
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin even with the token', async () => {
    const path = '/api/request/system.info';
    const rebound = await rawRequest(server.port, {
      method: 'POST',
      path,
      body: '{}',
      headers: { ...withToken, host: `evil.example:${server.port}` },
    });
    const otherPort = await rawRequest(server.port, {
      method: 'POST',
      path,
      body: '{}',
      headers: { ...withToken, host: '127.0.0.1:1' },
    });
    const foreignOrigin = await rawRequest(server.port, {
      method: 'POST',
      path,
      body: '{}',
      headers: { ...withToken, origin: 'https://evil.example' },
    });
    const nullOrigin = await rawRequest(server.port, {
      method: 'POST',
      path,
      body: '{}',
      headers: { ...withToken, origin: 'null' },
    });
    expect([rebound.status, otherPort.status, foreignOrigin.status, nullOrigin.status]).toEqual([
      403, 403, 403, 403,
    ]);
    expect(api.calls).toEqual([]);
    const ownOrigin = await rawRequest(server.port, {
      method: 'POST',
      path,
      body: '{}',
      headers: { ...withToken, origin: `http://localhost:${server.port}`, host: `localhost:${server.port}` },
    });
    expect(ownOrigin.status).toBe(200);
  });

  it('serves the page only with the token, then its assets by cookie, with a strict CSP', async () => {
    expect((await rawRequest(server.port, { path: '/' })).status).toBe(401);
    expect((await rawRequest(server.port, { path: '/assets/app.js' })).status).toBe(401);
    const page = await rawRequest(server.port, { path: `/?token=${TOKEN}` });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>PruneLab</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toBe(`prunelab_token_${server.port}=${TOKEN}`);
    const asset = await rawRequest(server.port, { path: '/assets/app.js', headers: { cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    const wrongCookie = await rawRequest(server.port, {
      path: '/assets/app.js',
      headers: { cookie: `prunelab_token_${server.port}=x` },
    });
    expect(wrongCookie.status).toBe(401);
    // The cookie is for the page's files only: the API still wants the token itself.
    const apiByCookie = await rawRequest(server.port, {
      method: 'POST',
      path: '/api/request/system.info',
      body: '{}',
      headers: { cookie },
    });
    expect(apiByCookie.status).toBe(401);
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/a%00.js',
    ]) {
      const res = await rawRequest(server.port, { path: `${path}?token=${TOKEN}` });
      expect(res.text).not.toContain('outside the renderer');
    }
  });
});

describe('serve mode: the socket', () => {
  it('refuses a socket with no token, a wrong token, or a foreign Origin', async () => {
    expect((await openSocket(server.port, '')).refused).toBe(401);
    expect((await openSocket(server.port, '?token=wrong')).refused).toBe(401);
    expect(
      (await openSocket(server.port, `?token=${TOKEN}`, { origin: 'https://evil.example' })).refused,
    ).toBe(403);
    expect((await openSocket(server.port, `?token=${TOKEN}`, { host: 'evil.example' })).refused).toBe(403);
  });

  it('answers requests by id and pushes events to every open socket', async () => {
    const a = await openSocket(server.port, `?token=${TOKEN}`, { origin: `http://127.0.0.1:${server.port}` });
    const b = await openSocket(server.port, `?token=${TOKEN}`);
    if (!a.ws || !b.ws) throw new Error('sockets should open');
    const answers = await exchange(
      a.ws,
      [
        JSON.stringify({ type: 'request', id: 1, name: 'runs.get', payload: { id: 'r1' } }),
        JSON.stringify({ type: 'request', id: 2, name: 'runs.get', payload: { id: '../x' } }),
      ],
      2,
    );
    expect(answers).toContainEqual({
      type: 'response',
      id: 1,
      result: { ok: true, value: { echoed: 'runs.get' } },
    });
    expect(answers).toContainEqual(
      expect.objectContaining({ id: 2, result: expect.objectContaining({ ok: false }) }),
    );
    const nextA = exchange(a.ws, [], 1);
    const nextB = exchange(b.ws, [], 1);
    api.emit('run.status', { runId: 'r1', status: 'running', error: null });
    const event = {
      type: 'event',
      event: 'run.status',
      data: { runId: 'r1', status: 'running', error: null },
    };
    expect(await nextA).toEqual([event]);
    expect(await nextB).toEqual([event]);
    a.ws.close();
    b.ws.close();
  });

  it('closes sockets and stops listening to events when the server closes', async () => {
    const a = await openSocket(server.port, `?token=${TOKEN}`);
    if (!a.ws) throw new Error('socket should open');
    const closed = new Promise<number>((resolve) => a.ws!.on('close', (code) => resolve(code)));
    expect(api.listenerCount()).toBeGreaterThan(0);
    await server.close();
    expect(await closed).toBe(1001);
    expect(api.listenerCount()).toBe(0);
  });
});

describe('serve mode: hostile input', () => {
  const cases = hostileCases(1000);

  it('answers 1,000 hostile socket requests with VALIDATION errors, writes nothing, and keeps serving', async () => {
    const before = await listTree(dir);
    const { ws } = await openSocket(server.port, `?token=${TOKEN}`);
    if (!ws) throw new Error('socket should open');
    const answers = await requestEach(ws, cases);
    const wrong = answers.filter((a) => a.result.ok || a.result.error?.code !== 'VALIDATION');
    expect(wrong.map((a) => cases[a.id])).toEqual([]);
    expect(new Set(answers.map((a) => a.id)).size).toBe(cases.length);
    expect(api.calls).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await listTree(dir)).toEqual(before);
    const still = await exchange(
      ws,
      [JSON.stringify({ type: 'request', id: 5000, name: 'jobs.list', payload: {} })],
      1,
    );
    expect(still).toEqual([
      { type: 'response', id: 5000, result: { ok: true, value: { echoed: 'jobs.list' } } },
    ]);
    ws.close();
  });

  it('answers hostile HTTP requests with VALIDATION errors and keeps serving', async () => {
    const before = await listTree(dir);
    for (const c of cases.slice(0, 300)) {
      const res = await rawRequest(server.port, {
        method: 'POST',
        path: `/api/request/${encodeURIComponent(c.name)}`,
        headers: withToken,
        body: c.payloadJson,
      });
      expect
        .soft(res.json(), `${c.family} ${c.name}`)
        .toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(api.calls).toEqual([]);
    expect(await listTree(dir)).toEqual(before);
  });

  it('answers protocol garbage on the socket without dropping the connection', async () => {
    const { ws } = await openSocket(server.port, `?token=${TOKEN}`);
    if (!ws) throw new Error('socket should open');
    const garbage = [
      'not json',
      '[]',
      'null',
      '{"type":"request"}',
      '{"type":"request","id":"1","name":"jobs.list"}',
      '{"id":1.5}',
    ];
    const answers = await exchange(ws, garbage, garbage.length);
    expect(answers).toHaveLength(garbage.length);
    for (const answer of answers)
      expect(answer).toMatchObject({ type: 'protocolError', error: { code: 'VALIDATION' } });
    const wrongName = await exchange(ws, ['{"type":"request","id":9,"name":7}'], 1);
    expect(wrongName).toEqual([
      expect.objectContaining({ type: 'response', id: 9, result: expect.objectContaining({ ok: false }) }),
    ]);
    ws.close();
  });

  it('refuses bodies over the limit with 413 and non-JSON with 400-class VALIDATION, then keeps serving', async () => {
    const big = await rawRequest(server.port, {
      method: 'POST',
      path: '/api/request/runs.list',
      headers: withToken,
      body: `{"x":"${'a'.repeat(2 * 1024 * 1024)}"}`,
    });
    expect(big.status).toBe(413);
    const notJson = await rawRequest(server.port, {
      method: 'POST',
      path: '/api/request/runs.list',
      headers: withToken,
      body: '{oops',
    });
    expect(notJson.json()).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const ok = await rawRequest(server.port, {
      method: 'POST',
      path: '/api/request/runs.list',
      headers: withToken,
      body: '{}',
    });
    expect(ok.json()).toEqual({ ok: true, value: { echoed: 'runs.list' } });
  });

  it('a too-large socket message closes only that socket', async () => {
    const { ws } = await openSocket(server.port, `?token=${TOKEN}`);
    if (!ws) throw new Error('socket should open');
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    const again = await openSocket(server.port, `?token=${TOKEN}`);
    expect(again.ws).not.toBeNull();
    again.ws?.close();
  });
});
