// Upload limits under concurrency, with real HTTP requests against a real server: every limit is
// reserved before a byte is accepted, one byte budget spans every upload session, the disk keeps a free
// margin, and an oversized body is answered 413 at once — before a 100-continue, before any draining.
import { statfs } from 'node:fs/promises';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/main/server/startServer';
import type { UploadLimits } from '../../src/main/server/uploads';
import { wirePaths } from '../../src/shared/wire';
import { createFakeApi, type FakeApi } from './fakeApi';
import { rawRequest } from './http';

const TOKEN = 'upload-limit-token-abcdefghij';
const headers = { 'x-prunelab-token': TOKEN };

let dir: string;
let api: FakeApi;
let server: RunningServer | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prunelab-uplimit-'));
  api = createFakeApi();
});

afterEach(async () => {
  await server?.close();
  server = null;
  await rm(dir, { recursive: true, force: true });
});

async function serve(limits: Partial<UploadLimits>): Promise<RunningServer> {
  server = await startServer({ api, dataDir: dir, rendererDir: null, token: TOKEN, uploadLimits: limits });
  return server;
}

async function createUpload(port: number): Promise<string> {
  const res = await rawRequest(port, { method: 'POST', path: wirePaths.uploads, headers });
  const body = res.json() as { ok: boolean; value: { uploadId: string } };
  expect(body.ok, res.text).toBe(true);
  return body.value.uploadId;
}

function put(port: number, uploadId: string, relativePath: string, body: Buffer) {
  return rawRequest(port, {
    method: 'PUT',
    path: wirePaths.uploadFile(uploadId, relativePath),
    headers,
    body,
  });
}

async function bytesOnDisk(root: string): Promise<number> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries) if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  return total;
}

/**
 * Starts a PUT that declares `declared` bytes but sends only `sendFirst` of them, then waits: resolves
 * with what the server did before the client sent anything more (a response, a 100-continue, nothing).
 */
function partialPut(
  port: number,
  path: string,
  options: {
    declared: number | null;
    sendFirst: number;
    expectContinue?: boolean;
    waitMs?: number;
    method?: string;
  },
): Promise<{ status: number | null; body: string; continued: boolean }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: options.method ?? 'PUT',
      path,
      headers: {
        host: `127.0.0.1:${port}`,
        ...headers,
        ...(options.declared === null ? {} : { 'content-length': String(options.declared) }),
        ...(options.expectContinue ? { expect: '100-continue' } : {}),
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: null, body: '', continued });
    }, options.waitMs ?? 3000);
    req.on('continue', () => {
      continued = true;
      req.write(Buffer.alloc(options.sendFirst));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), continued });
      });
    });
    req.on('error', (err) => {
      // The server may close the connection after its early answer; that answer is what counts.
      if (
        (err as NodeJS.ErrnoException).code !== 'ECONNRESET' &&
        (err as NodeJS.ErrnoException).code !== 'EPIPE'
      )
        reject(err);
    });
    if (!options.expectContinue) req.write(Buffer.alloc(options.sendFirst));
    else req.flushHeaders();
  });
}

describe('upload limits under concurrency (real HTTP)', () => {
  it('reserves the byte budget before accepting: 10 concurrent 900-byte files against 1000 bytes', async () => {
    const { port } = await serve({ maxFileBytes: 1000, maxTotalBytes: 1000, maxFiles: 100 });
    const uploadId = await createUpload(port);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => put(port, uploadId, `set/a/${i}.png`, Buffer.alloc(900, i))),
    );
    const accepted = answers.filter((a) => a.status === 200 && (a.json() as { ok: boolean }).ok);
    const refused = answers.filter((a) => a.status === 413);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const r of refused)
      expect(r.json()).toMatchObject({
        ok: false,
        error: { code: 'LIMIT', details: { limit: 'totalBytes' } },
      });
    expect(await bytesOnDisk(join(dir, 'uploads'))).toBe(900);
  });

  it('reserves file slots before accepting: 10 concurrent files against at most 4', async () => {
    const { port } = await serve({ maxFileBytes: 1000, maxTotalBytes: 100_000, maxFiles: 4 });
    const uploadId = await createUpload(port);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => put(port, uploadId, `set/a/${i}.png`, Buffer.alloc(100))),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(4);
    expect(answers.filter((a) => a.status === 413)).toHaveLength(6);
    expect(answers.find((a) => a.status === 413)?.json()).toMatchObject({
      error: {
        code: 'LIMIT',
        details: { limit: 'files', max: 4 },
        message: expect.stringContaining('4 files'),
      },
    });
  });

  it('holds one byte budget across upload sessions, and caps how many sessions are open', async () => {
    const { port } = await serve({ maxFileBytes: 1000, maxTotalBytes: 1000, maxFiles: 10, maxUploads: 2 });
    const first = await createUpload(port);
    const second = await createUpload(port);
    expect((await put(port, first, 'a/x.png', Buffer.alloc(700))).status).toBe(200);
    const over = await put(port, second, 'b/y.png', Buffer.alloc(700));
    expect(over.status).toBe(413);
    expect(over.json()).toMatchObject({ error: { code: 'LIMIT', details: { limit: 'totalBytes' } } });
    const third = await rawRequest(port, { method: 'POST', path: wirePaths.uploads, headers });
    expect(third.status).toBe(429);
    expect(third.json()).toMatchObject({ error: { code: 'LIMIT', details: { limit: 'uploads', max: 2 } } });
    // Discarding an upload gives its bytes and its session back.
    await rawRequest(port, { method: 'DELETE', path: wirePaths.upload(first), headers });
    expect((await put(port, second, 'b/y.png', Buffer.alloc(700))).status).toBe(200);
    expect(await createUpload(port)).toMatch(/^[a-f0-9]{32}$/);
  });

  it('gives the session and bytes of an abandoned upload (a closed tab) to the next one', async () => {
    const { port } = await serve({
      maxFileBytes: 1000,
      maxTotalBytes: 1000,
      maxUploads: 1,
      abandonedAfterMs: 300,
    });
    const abandoned = await createUpload(port);
    expect((await put(port, abandoned, 'a/x.png', Buffer.alloc(800))).status).toBe(200);
    // Still in use: the cap holds.
    expect((await rawRequest(port, { method: 'POST', path: wirePaths.uploads, headers })).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const next = await createUpload(port);
    expect((await put(port, next, 'b/y.png', Buffer.alloc(800))).status).toBe(200);
    expect((await put(port, abandoned, 'a/z.png', Buffer.alloc(1))).json()).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await bytesOnDisk(join(dir, 'uploads'))).toBe(800);
  });

  it("refuses a file when the disk's free space would drop under the margin (507), writing nothing", async () => {
    const fs = await statfs(dir);
    const free = fs.bavail * fs.bsize;
    const { port } = await serve({ maxFileBytes: 1000, minFreeDiskBytes: free + 10 * 1024 ** 3 });
    const uploadId = await createUpload(port);
    const res = await put(port, uploadId, 'a/x.png', Buffer.alloc(10));
    expect(res.status).toBe(507);
    expect(res.json()).toMatchObject({
      ok: false,
      error: { code: 'LIMIT', details: { limit: 'diskFree' }, message: expect.stringContaining('free') },
    });
    expect(await bytesOnDisk(join(dir, 'uploads'))).toBe(0);
  });

  it('refuses DELETE while the upload is being imported, and keeps its files', async () => {
    const { port } = await serve({});
    const uploadId = await createUpload(port);
    await put(port, uploadId, 'set/a/x.png', Buffer.alloc(10));
    const imported = await rawRequest(port, {
      method: 'POST',
      path: wirePaths.uploadImport(uploadId),
      headers,
      body: '{}',
    });
    expect(imported.json()).toMatchObject({ ok: true });
    const del = await rawRequest(port, { method: 'DELETE', path: wirePaths.upload(uploadId), headers });
    expect(del.json()).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await bytesOnDisk(join(dir, 'uploads'))).toBe(10);
    // Once the import job ends, the server discards the upload itself.
    api.finishImport('job-1');
    await expect.poll(() => bytesOnDisk(join(dir, 'uploads'))).toBe(0);
  });

  it('answers an oversized declared body 413 at once, without a 100-continue', async () => {
    const { port } = await serve({ maxFileBytes: 1000 });
    const uploadId = await createUpload(port);
    const path = wirePaths.uploadFile(uploadId, 'a/big.png');
    const withExpect = await partialPut(port, path, {
      declared: 100 * 1024 * 1024,
      sendFirst: 0,
      expectContinue: true,
    });
    expect(withExpect.continued).toBe(false);
    expect(withExpect.status).toBe(413);
    expect(JSON.parse(withExpect.body)).toMatchObject({
      error: { code: 'LIMIT', details: { limit: 'fileBytes' } },
    });
    // Without Expect, the answer still comes before the body does (nothing is drained first).
    const plain = await partialPut(port, path, { declared: 100 * 1024 * 1024, sendFirst: 16 * 1024 });
    expect(plain.status).toBe(413);
    const json = await partialPut(port, '/api/request/system.info', {
      method: 'POST',
      declared: 50 * 1024 * 1024,
      sendFirst: 16 * 1024,
    });
    expect(json.status).toBe(413);
    expect(JSON.parse(json.body)).toMatchObject({
      error: { code: 'LIMIT', details: { limit: 'jsonBytes' } },
    });
    expect(await bytesOnDisk(join(dir, 'uploads'))).toBe(0);
  });

  it('sends 100-continue for an acceptable upload and stores it', async () => {
    const { port } = await serve({ maxFileBytes: 1000 });
    const uploadId = await createUpload(port);
    const res = await partialPut(port, wirePaths.uploadFile(uploadId, 'a/ok.png'), {
      declared: 500,
      sendFirst: 500,
      expectContinue: true,
    });
    expect(res.continued).toBe(true);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, value: { path: 'a/ok.png', bytes: 500 } });
  });

  it('answers a streamed upload 413 as soon as it passes the limit (no declared length)', async () => {
    const { port } = await serve({ maxFileBytes: 1000 });
    const uploadId = await createUpload(port);
    const res = await partialPut(port, wirePaths.uploadFile(uploadId, 'a/stream.png'), {
      declared: null,
      sendFirst: 64 * 1024,
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'LIMIT' } });
    expect(await bytesOnDisk(join(dir, 'uploads'))).toBe(0);
    // The refused file's reservation was released: a file that fits is still accepted.
    expect((await put(port, uploadId, 'a/fits.png', Buffer.alloc(1000))).status).toBe(200);
  });
});
