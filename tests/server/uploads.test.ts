import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wirePaths } from '../../src/shared/wire';
import { useFakeApiServer } from './fakeApiServer';
import { rawRequest } from './http';

const TOKEN = 'upload-token-abcdefghijklmnop';
const headers = { 'x-prunelab-token': TOKEN };

const served = useFakeApiServer('prunelab-upload-', TOKEN, {
  uploadLimits: { maxFileBytes: 1000, maxTotalBytes: 2500, maxFiles: 4 },
});

async function createUpload(): Promise<string> {
  const res = await rawRequest(served.server.port, { method: 'POST', path: wirePaths.uploads, headers });
  const body = res.json() as { ok: true; value: { uploadId: string } };
  expect(body.ok).toBe(true);
  return body.value.uploadId;
}

function put(uploadId: string, relativePath: string, body: string | Buffer) {
  return rawRequest(served.server.port, {
    method: 'PUT',
    path: wirePaths.uploadFile(uploadId, relativePath),
    headers,
    body,
  });
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

describe('serve mode: uploading a dropped folder', () => {
  it('stores files under the upload folder and imports that folder by path', async () => {
    const uploadId = await createUpload();
    expect((await put(uploadId, 'set/cats/a.png', 'AAAA')).json()).toEqual({
      ok: true,
      value: { path: 'set/cats/a.png', bytes: 4 },
    });
    expect((await put(uploadId, 'set\\dogs\\b.png', 'BB')).json()).toMatchObject({
      ok: true,
      value: { path: 'set/dogs/b.png' },
    });
    const res = await rawRequest(served.server.port, {
      method: 'POST',
      path: wirePaths.uploadImport(uploadId),
      headers,
      body: JSON.stringify({ name: 'pets', size: 32 }),
    });
    expect(res.json()).toEqual({ ok: true, value: { jobId: 'job-1' } });
    const call = served.api.calls.find((c) => c.name === 'datasets.import');
    const path = (call?.payload as { path: string; name: string }).path;
    expect(call?.payload).toMatchObject({ name: 'pets', size: 32 });
    expect(path.startsWith(join(served.dir, 'uploads'))).toBe(true);
    // The dropped folder itself ("set") is imported, not the upload root around it.
    expect(path.endsWith(`${uploadId}/set`)).toBe(true);
    expect(await filesUnder(path)).toEqual(['cats/a.png', 'dogs/b.png']);
    expect(await readFile(join(path, 'cats', 'a.png'), 'utf8')).toBe('AAAA');
    // When the import job ends, the uploaded copy goes.
    served.api.finishImport('job-1');
    await expect.poll(() => filesUnder(path)).toEqual([]);
  });

  it('imports the upload root when the files are not inside one dropped folder', async () => {
    const uploadId = await createUpload();
    await put(uploadId, 'cats/a.png', 'A');
    await put(uploadId, 'dogs/b.png', 'B');
    await rawRequest(served.server.port, {
      method: 'POST',
      path: wirePaths.uploadImport(uploadId),
      headers,
      body: '{}',
    });
    const path = (served.api.calls.find((c) => c.name === 'datasets.import')?.payload as { path: string })
      .path;
    expect(path.endsWith(uploadId)).toBe(true);
    expect(await filesUnder(path)).toEqual(['cats/a.png', 'dogs/b.png']);
  });

  it('refuses traversal, absolute and NUL paths without writing anything', async () => {
    const uploadId = await createUpload();
    const hostile = [
      '../escape.png',
      'a/../../escape.png',
      '/etc/escape',
      'C:\\escape.png',
      'a\u0000b.png',
      '',
      'a//b.png',
      '..\\..\\x',
    ];
    for (const p of hostile) {
      const res = await put(uploadId, p, 'EVIL');
      expect.soft(res.json(), p).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    const missingPath = await rawRequest(served.server.port, {
      method: 'PUT',
      path: `${wirePaths.uploads}/${uploadId}`,
      headers,
      body: 'x',
    });
    expect(missingPath.json()).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await filesUnder(served.dir)).toEqual([]);
  });

  it('refuses files and uploads over the limits, keeping no partial file', async () => {
    const uploadId = await createUpload();
    const big = await put(uploadId, 'big.png', Buffer.alloc(1001));
    expect(big.status).toBe(413);
    expect(big.json()).toMatchObject({
      ok: false,
      error: { code: 'LIMIT', details: { limit: 'fileBytes' } },
    });
    expect(await filesUnder(served.dir)).toEqual([]);
    for (const name of ['a', 'b'])
      expect((await put(uploadId, `${name}.png`, Buffer.alloc(1000))).json()).toMatchObject({ ok: true });
    const overTotal = await put(uploadId, 'c.png', Buffer.alloc(600));
    expect(overTotal.status).toBe(413);
    expect(overTotal.json()).toMatchObject({
      ok: false,
      error: { code: 'LIMIT', details: { limit: 'totalBytes' }, message: expect.stringContaining('at most') },
    });
    expect((await put(uploadId, 'd.png', Buffer.alloc(10))).json()).toMatchObject({ ok: true });
    expect((await put(uploadId, 'e.png', Buffer.alloc(10))).json()).toMatchObject({ ok: true });
    expect((await put(uploadId, 'f.png', Buffer.alloc(10))).json()).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('at most 4') },
    });
    expect((await filesUnder(served.dir)).map((f) => f.split('/').pop())).toEqual([
      'a.png',
      'b.png',
      'd.png',
      'e.png',
    ]);
  });

  it('refuses a duplicate or clashing path, an unknown upload, and import options that carry a path', async () => {
    const uploadId = await createUpload();
    expect((await put(uploadId, 'a/b.png', 'x')).json()).toMatchObject({ ok: true });
    expect((await put(uploadId, 'a/b.png', 'y')).json()).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect((await put(uploadId, 'a', 'y')).json()).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await put('0'.repeat(32), 'x.png', 'x')).json()).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect((await put('../../etc', 'x.png', 'x')).json()).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    const withPath = await rawRequest(served.server.port, {
      method: 'POST',
      path: wirePaths.uploadImport(uploadId),
      headers,
      body: JSON.stringify({ path: '/etc' }),
    });
    expect(withPath.json()).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const badOptions = await rawRequest(served.server.port, {
      method: 'POST',
      path: wirePaths.uploadImport(uploadId),
      headers,
      body: JSON.stringify({ size: 'huge' }),
    });
    expect(badOptions.json()).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(served.api.calls).toEqual([]);
  });

  it('discards an upload on request and removes everything on close', async () => {
    const first = await createUpload();
    const second = await createUpload();
    await put(first, 'x.png', 'x');
    await put(second, 'y.png', 'y');
    expect(
      (
        await rawRequest(served.server.port, { method: 'DELETE', path: wirePaths.upload(first), headers })
      ).json(),
    ).toEqual({
      ok: true,
      value: { deleted: true },
    });
    expect((await filesUnder(served.dir)).map((f) => f.split('/').pop())).toEqual(['y.png']);
    await served.server.close();
    expect(await filesUnder(served.dir)).toEqual([]);
  });

  it('needs the token for uploads too', async () => {
    const res = await rawRequest(served.server.port, { method: 'POST', path: wirePaths.uploads });
    expect(res.status).toBe(401);
    expect(await filesUnder(served.dir)).toEqual([]);
  });
});
