// The coordinator's routes for workers, spoken to as a hostile or confused client would, against a real
// coordinator on a real redis-server: only the worker token opens them (not the page's token, and the
// worker token opens nothing else), browsers are refused, every body and path is checked, a file is
// served only by a hash the coordinator listed, uploads must match their hash and stay in their run's
// folders, and an outcome posted twice is recorded once.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  msgpackType,
  remoteLimits,
  type ClaimAnswer,
} from '../../../src/main/jobs/queue/remoteWire';
import { createCoordinatorClient } from '../../../src/main/jobs/queue/coordinatorClient';
import { tokenHeader } from '../../../src/shared/wire';
import { tinyDataset } from '../../cli/helpers';
import { createAppServices } from '../../../src/main/services';
import { call, startCoordinator, type TestCoordinator } from './processes';
import { freePort, startRedis, type TestRedis } from './redisServer';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-worker-routes-'));
const dataDir = join(dir, 'coordinator');
let redis: TestRedis;
let coordinator: TestCoordinator;
let token: string;
let origin: string;
let runId: string;
let queueJobId: string;

const worker = { id: 'test-host:1:abc', host: 'test-host', pid: 1, concurrency: 1, version: 'test' };

function send(path: string, init: RequestInit & { auth?: string | null } = {}) {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  const auth = init.auth === undefined ? token : init.auth;
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  return fetch(`${origin}${path}`, { ...init, headers });
}

const post = (path: string, body: unknown, auth?: string | null) =>
  send(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    auth,
  });

/**
 * A request that asks before sending its body (Expect: 100-continue), as curl does for large uploads:
 * the body goes only once the server says to go on. Resolves with the answer and whether it said so.
 */
function askFirst(
  path: string,
  method: string,
  declared: number,
  body: Buffer,
): Promise<{ status: number | null; continued: boolean }> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      method,
      path: `${url.pathname}${url.search}`,
      headers: {
        authorization: `Bearer ${token}`,
        'content-length': String(declared),
        expect: '100-continue',
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: null, continued });
    }, 5000);
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? null, continued });
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function json(response: Response) {
  return (await response.json()) as { ok: boolean; value?: unknown; error?: { message: string } };
}

beforeAll(async () => {
  redis = await startRedis();
  coordinator = await startCoordinator(dataDir, redis.url);
  token = coordinator.services.remote!.workerToken;
  origin = coordinator.server.origin;
  const { jobId } = await call<{ jobId: string }>(coordinator.services, 'datasets.import', {
    path: tinyDataset(dir, 2, 8),
  });
  const imported = await coordinator.services.waitForJob(jobId);
  const datasetId = (imported.result as { id: string }).id;
  // No worker runs here: this test plays the worker, so the job waits on the queue for its claim.
  const started = await call<{ runId: string; jobId: string }>(coordinator.services, 'runs.start', {
    config: { datasetId, train: { preset: 'lenet5', epochs: 1, batchSize: 8, seed: 1 } },
  });
  runId = started.runId;
  queueJobId = started.jobId;
}, 900_000);

afterAll(async () => {
  await coordinator?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('worker routes', () => {
  it('open only with the worker token, and the worker token opens nothing else', async () => {
    expect((await send('/api/worker/hello', { auth: null })).status).toBe(401);
    expect((await send('/api/worker/hello', { auth: 'wrong' })).status).toBe(401);
    expect((await send('/api/worker/hello', { auth: coordinator.server.token })).status).toBe(401);
    const hello = await json(await send('/api/worker/hello'));
    expect(hello.value).toMatchObject({ queueName: expect.stringMatching(/^prunelab-[a-f0-9]{16}$/) });
    const api = await fetch(`${origin}/api/request/runs.list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(api.status).toBe(401);
    const withPageToken = await fetch(`${origin}/api/request/jobs.queue`, {
      method: 'POST',
      headers: { [tokenHeader]: coordinator.server.token, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(((await withPageToken.json()) as { value: { enabled: boolean } }).value.enabled).toBe(true);
  });

  it('refuse pages (an Origin header) and unknown routes', async () => {
    expect((await send('/api/worker/hello', { headers: { origin: 'http://evil.example' } })).status).toBe(
      403,
    );
    expect((await send('/api/worker/nope')).status).toBe(404);
    expect((await send(`/api/worker/jobs/${queueJobId}/explode`, { method: 'POST' })).status).toBe(404);
    expect((await send('/api/worker/blobs/not-a-hash')).status).toBe(400);
    expect((await send(`/api/worker/blobs/${'a'.repeat(64)}`)).status).toBe(404);
  });

  it('check bodies', async () => {
    expect(
      (await post(`/api/worker/jobs/${queueJobId}/claim`, { worker: { ...worker, pid: -1 } })).status,
    ).toBe(400);
    expect((await post(`/api/worker/jobs/${queueJobId}/claim`, 'not json at all')).status).toBe(400);
    expect((await post('/api/worker/jobs/unknown-job/claim', { worker })).status).toBe(410);
    // Too large a message is answered at once, before the client is told to send it.
    const oversized = remoteLimits.maxMessageBytes + 1;
    expect(
      await askFirst(`/api/worker/jobs/${queueJobId}/events`, 'POST', oversized, Buffer.alloc(0)),
    ).toEqual({ status: 413, continued: false });
  });

  it('serve listed files by hash, take uploads that match theirs inside the run, and record an outcome once', async () => {
    const claimed = await post(`/api/worker/jobs/${queueJobId}/claim`, { worker });
    expect(claimed.status).toBe(200);
    const claim = (decodeMessage(new Uint8Array(await claimed.arrayBuffer())) as { value: ClaimAnswer })
      .value;
    expect(claim.files.some((f) => f.path.startsWith('datasets/'))).toBe(true);
    const file = claim.files[0]!;
    const bytes = Buffer.from(await (await send(`/api/worker/blobs/${file.sha256}`)).arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);

    const events = (body: unknown) =>
      send(`/api/worker/jobs/${queueJobId}/events`, {
        method: 'POST',
        headers: { 'content-type': msgpackType },
        body: encodeMessage(body),
      });
    expect((await events({ lease: 'stolen', seq: 0, events: [] })).status).toBe(409);
    expect(
      (await events({ lease: claim.lease, seq: 0, events: [{ type: 'epoch', epoch: -1 }] })).status,
    ).toBe(400);
    expect(
      (
        await events({
          lease: claim.lease,
          seq: 0,
          events: [{ type: 'progress', phase: 'train', done: 1, total: 2 }],
        })
      ).status,
    ).toBe(200);

    const content = Buffer.from('weights');
    const digest = createHash('sha256').update(content).digest('hex');
    const upload = (path: string, sha256 = digest) =>
      send(
        `/api/worker/jobs/${queueJobId}/files?${new URLSearchParams({ lease: claim.lease, path, sha256 })}`,
        {
          method: 'PUT',
          body: content,
        },
      );
    expect((await upload('../prunelab.db')).status).toBe(400);
    expect((await upload('runs/another-run/model/w.bin')).status).toBe(400);
    expect((await upload(`runs/${runId}/model/w.bin`, 'b'.repeat(64))).status).toBe(400);
    expect((await upload(`runs/${runId}/model/w.bin`)).status).toBe(200);
    // A client that asks before sending a file is told to go on (the same file again, staged anew).
    const query = new URLSearchParams({
      lease: claim.lease,
      path: `runs/${runId}/model/w.bin`,
      sha256: digest,
    });
    expect(
      await askFirst(`/api/worker/jobs/${queueJobId}/files?${query}`, 'PUT', content.length, content),
    ).toEqual({ status: 200, continued: true });
    expect(existsSync(join(dataDir, 'runs', runId, 'model'))).toBe(false); // staged until committed
    const commit = await post(`/api/worker/jobs/${queueJobId}/commit`, {
      lease: claim.lease,
      path: `runs/${runId}/model`,
    });
    expect(commit.status).toBe(200);
    expect(readdirSync(join(dataDir, 'runs', runId, 'model'))).toEqual(['w.bin']);

    const complete = (outcome: unknown) =>
      send(`/api/worker/jobs/${queueJobId}/complete`, {
        method: 'POST',
        headers: { 'content-type': msgpackType },
        body: encodeMessage({ lease: claim.lease, outcome }),
      });
    const failure = {
      status: 'failed',
      error: { name: 'Error', message: 'played worker gives up' },
      crashed: false,
    };
    expect(await json(await complete(failure))).toEqual({ ok: true, value: { recorded: true } });
    expect(await json(await complete(failure))).toEqual({ ok: true, value: { recorded: false } });
    const result = await coordinator.services.waitForJob(queueJobId);
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain('played worker gives up');
  });
});

describe('a worker uploading to the coordinator', () => {
  it('gives up at once on a file that went away, instead of retrying as if the coordinator were away', async () => {
    const lines: string[] = [];
    const stopping = new AbortController();
    const stop = setTimeout(() => stopping.abort(), 5000);
    const client = createCoordinatorClient({
      url: origin,
      token,
      log: (line) => lines.push(line),
      signal: stopping.signal,
      backoff: { initialMs: 50, maxMs: 50 },
    });
    try {
      await expect(
        client.upload(
          queueJobId,
          'any-lease',
          `runs/${runId}/checkpoints/epoch-0001/loop.json`,
          'c'.repeat(64),
          join(dir, 'deleted-by-the-task', 'loop.json'),
        ),
      ).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      clearTimeout(stop);
    }
    expect(lines.join('\n')).not.toMatch(/unreachable/);
  });
});

describe('a coordinator whose Redis does not answer', () => {
  it('refuses to start with a sentence that names the URL but not the password', async () => {
    const port = await freePort();
    const attempt = createAppServices({
      dataDir: join(dir, 'no-redis'),
      mode: 'serve',
      queueUrl: `redis://:topsecret@127.0.0.1:${port}/0`,
      queueConnectTimeoutMs: 1500,
      log: () => undefined,
    });
    await expect(attempt).rejects.toThrow(
      new RegExp(`cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0 \\(.*ECONNREFUSED`),
    );
    await expect(attempt).rejects.not.toThrow(/topsecret/);
  });

  it('says so when the password is wrong', async () => {
    const attempt = createAppServices({
      dataDir: join(dir, 'wrong-password'),
      mode: 'serve',
      queueUrl: `redis://:wrong@127.0.0.1:${redis.port}/0`,
      queueConnectTimeoutMs: 1500,
      log: () => undefined,
    });
    await expect(attempt).rejects.toThrow(/WRONGPASS|NOAUTH|invalid username-password/);
  });
});
