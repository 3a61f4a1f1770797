// The queue's parts that need no Redis: the --queue URL, the worker's bounded cache of fetched files,
// where a worker may write, moving paths between data directories, the coordinator's identity file, the
// order in which a job's events and checkpoints reach the coordinator, and when a checkpoint being sent
// has been replaced.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createBlobCache, HashMismatchError } from '../../../src/main/jobs/queue/blobCache';
import { checkpointSuperseded } from '../../../src/main/jobs/queue/checkpointTurnover';
import { createEventSender } from '../../../src/main/jobs/queue/eventSender';
import { identityFileName, loadQueueIdentity } from '../../../src/main/jobs/queue/identity';
import { checkWritablePath } from '../../../src/main/jobs/queue/incoming';
import { rewritePaths } from '../../../src/main/jobs/queue/pathRewrite';
import { parseQueueUrl, redact } from '../../../src/main/jobs/queue/redisUrl';
import type { TaskEvent } from '../../../src/main/engine/types';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-queue-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const source = (bytes: Buffer) => async () => Readable.from([bytes]);

describe('--queue URL', () => {
  it('reads host, port, db, user and password, and TLS for rediss://', () => {
    expect(parseQueueUrl('redis://:s%40cret@10.0.0.5:6380/2').connection).toEqual({
      host: '10.0.0.5',
      port: 6380,
      db: 2,
      password: 's@cret',
      maxRetriesPerRequest: null,
    });
    const tls = parseQueueUrl('rediss://worker:pw@queue.lab.example').connection;
    expect(tls).toMatchObject({
      host: 'queue.lab.example',
      port: 6379,
      db: 0,
      username: 'worker',
      password: 'pw',
    });
    expect(tls.tls).toEqual({ servername: 'queue.lab.example' });
  });

  it('never shows the password', () => {
    expect(parseQueueUrl('redis://:hunter2@h:1/0').display).toBe('redis://:***@h:1/0');
    expect(redact('rediss://me:hunter2@h')).toBe('rediss://me:***@h');
    expect(redact('redis://h:6379')).toBe('redis://h:6379');
  });

  it.each([
    ['http://h:6379', /start with redis:\/\//],
    ['redis://h:99999', /URL like|invalid port/],
    ['redis://h/16', /database must be a number from 0 to 15/],
    ['not a url :pw@', /URL like/],
  ])('refuses %s with a sentence', (raw, message) => {
    expect(() => parseQueueUrl(raw)).toThrow(message);
  });
});

describe('the worker cache', () => {
  it('keeps verified blobs, evicts the least recently used, never a pinned one', async () => {
    const cacheDir = join(dir, 'cache-lru');
    const cache = await createBlobCache(cacheDir, 250);
    const [a, b, c] = ['a', 'b', 'c'].map((x) => Buffer.alloc(100, x));
    await cache.acquire(sha(a!), 100, source(a!));
    await cache.acquire(sha(b!), 100, source(b!));
    cache.release(sha(b!)); // a stays pinned
    await cache.acquire(sha(c!), 100, source(c!));
    expect(existsSync(join(cacheDir, sha(a!)))).toBe(true); // pinned, though the oldest
    expect(existsSync(join(cacheDir, sha(b!)))).toBe(false); // evicted
    expect(cache.bytes).toBe(200);
    // Cached: no second fetch.
    let fetched = 0;
    await cache.acquire(sha(c!), 100, async () => {
      fetched += 1;
      return Readable.from([c!]);
    });
    expect(fetched).toBe(0);
    const target = join(dir, 'materialized', 'datasets', 'x', 'train.bin');
    await cache.materialize(sha(c!), target, true);
    expect(readFileSync(target).equals(c!)).toBe(true);
  });

  it('refuses a blob whose bytes do not match its hash, and keeps nothing of it', async () => {
    const cacheDir = join(dir, 'cache-bad');
    const cache = await createBlobCache(cacheDir, 1000);
    const real = Buffer.from('the real bytes');
    await expect(
      cache.acquire(sha(real), real.length, source(Buffer.from('other bytes!!!'))),
    ).rejects.toBeInstanceOf(HashMismatchError);
    await expect(cache.acquire(sha(real), 4, source(real))).rejects.toThrow(/larger than the 4 bytes/);
    expect(cache.files).toBe(0);
    const reopened = await createBlobCache(cacheDir, 1000);
    expect(reopened.files).toBe(0);
  });
});

describe('where a worker may write on the coordinator', () => {
  it.each([
    ['runs/r1/model/weights.bin', 'runs/r1/model/weights.bin'],
    ['exports/r1/onnx-float32/model.onnx', 'exports/r1/onnx-float32/model.onnx'],
  ])('allows %s', (path, expected) => expect(checkWritablePath(path, 'r1')).toBe(expected));

  it.each([
    '../prunelab.db',
    'runs/r1/../../prunelab.db',
    'runs/r2/model/weights.bin',
    'datasets/d1/train.bin',
    '/etc/passwd',
    'runs/r1',
    'runs/r1//x',
    'runs/r1/a\\b',
    'prunelab.db',
  ])('refuses %s', (path) => expect(() => checkWritablePath(path, 'r1')).toThrow());
});

describe('paths between data directories', () => {
  it('moves every path under one directory to the other and nothing else', () => {
    const moved = rewritePaths(
      { a: '/coord/data/runs/x/model', b: ['/coord/data', '/coord/database'], n: 3, t: new Uint8Array([1]) },
      '/coord/data',
      '/w/jobs/1',
    );
    expect(moved).toEqual({
      a: '/w/jobs/1/runs/x/model',
      b: ['/w/jobs/1', '/coord/database'],
      n: 3,
      t: new Uint8Array([1]),
    });
  });
});

describe('the coordinator identity', () => {
  it('is made once, private to its owner, and kept across starts; a tampered file is refused', () => {
    const dataDir = join(dir, 'identity');
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const first = loadQueueIdentity(dataDir);
    expect(loadQueueIdentity(dataDir)).toEqual(first);
    expect(statSync(join(dataDir, identityFileName)).mode & 0o777).toBe(0o600);
    // The token is given as `--token T`: it must never start with '-' (one in 64 base64url tokens did).
    for (let i = 0; i < 200; i++) {
      const fresh = join(dir, 'identities', String(i));
      mkdirSync(fresh, { recursive: true });
      expect(loadQueueIdentity(fresh).workerToken).toMatch(/^[a-f0-9]{64}$/);
    }
    writeFileSync(join(dataDir, identityFileName), '{"coordinatorId":"x"}');
    expect(() => loadQueueIdentity(dataDir)).toThrow(/not a PruneLab queue identity/);
  });
});

describe('the event sender', () => {
  it('sends in order, in numbered batches, a checkpoint only after its upload', async () => {
    const log: string[] = [];
    const posted: TaskEvent[][] = [];
    let cancelled = 0;
    const sender = createEventSender({
      flushMs: 5,
      post: async (seq, events) => {
        posted.push(events);
        log.push(`post ${seq}: ${events.map((e) => e.type).join(',')}`);
        return { cancel: seq === 1 };
      },
      syncCheckpoint: async (event) => {
        log.push('upload');
        return { ...event, path: '/coord/x' };
      },
      translate: (event) => event,
      onCancel: () => (cancelled += 1),
    });
    const progress: TaskEvent = { type: 'progress', phase: 'train', done: 1, total: 2 };
    sender.push({ ...progress, done: 0 });
    sender.push(progress);
    sender.push({ type: 'epoch', epoch: 1, phase: 'train', values: [] });
    sender.push({ type: 'checkpoint', epoch: 1, phase: 'train', path: '/w/x' });
    sender.push(progress);
    await sender.drain();
    expect(log).toEqual(['post 0: progress,epoch', 'upload', 'post 1: checkpoint', 'post 2: progress']);
    expect(posted[0]![0]).toEqual(progress); // the two progress reports of one phase folded into the newest
    expect(cancelled).toBe(1);
    expect(sender.sent).toEqual({ events: 4, batches: 3 });
  });

  it('stops at the first refusal and reports it', async () => {
    const sender = createEventSender({
      flushMs: 1,
      post: async () => {
        throw new Error('superseded');
      },
      syncCheckpoint: async () => null,
      translate: (event) => event,
      onCancel: () => undefined,
    });
    sender.push({ type: 'progress', phase: 'x', done: 0, total: 1 });
    await expect(sender.drain()).rejects.toThrow('superseded');
  });
});

describe('a checkpoint being sent', () => {
  it('counts as replaced once a newer one is in its folder, or the folder is gone', async () => {
    const checkpoints = join(dir, 'turnover', 'runs', 'r1', 'checkpoints');
    mkdirSync(join(checkpoints, 'epoch-0009'), { recursive: true });
    const ninth = join(checkpoints, 'epoch-0009');
    expect(await checkpointSuperseded(ninth)).toBe(false);
    // the task's half-written next one is a hidden scratch folder, not a checkpoint yet
    mkdirSync(join(checkpoints, '.epoch-0010.partial-123'));
    expect(await checkpointSuperseded(ninth)).toBe(false);
    mkdirSync(join(checkpoints, 'epoch-0010'));
    expect(await checkpointSuperseded(ninth)).toBe(true);
    expect(await checkpointSuperseded(join(checkpoints, 'epoch-0010'))).toBe(false);
    expect(await checkpointSuperseded(join(dir, 'turnover', 'gone', 'epoch-0001'))).toBe(true);
  });
});
