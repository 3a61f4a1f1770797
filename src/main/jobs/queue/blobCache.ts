// A worker's local copy of what it fetched from its coordinator, one file per sha256, bounded in bytes
// and evicted least-recently-used first — a sweep fetches its dataset once per worker, not once per
// cell. A download is verified against its hash before it is kept; files a running job uses are pinned
// and never evicted under it.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256Pattern } from './remoteWire';

export interface BlobCache {
  /** Makes sure the blob is cached (fetching and verifying it if needed) and pins it until unpinned. */
  acquire(sha256: string, size: number, fetch: () => Promise<Readable>): Promise<void>;
  release(sha256: string): void;
  /** Puts the cached blob at `target`: a hard link when `shared` (read-only data), else a copy. */
  materialize(sha256: string, target: string, shared: boolean): Promise<void>;
  readonly bytes: number;
  readonly files: number;
}

export class HashMismatchError extends Error {
  constructor(expected: string, actual: string, size: number) {
    super(
      `a fetched file did not match its hash: expected sha256 ${expected}, got ${actual} (${size} bytes)`,
    );
    this.name = 'HashMismatchError';
  }
}

interface Entry {
  size: number;
  lastUsed: number;
  pins: number;
}

export async function createBlobCache(
  dir: string,
  maxBytes: number,
  now: () => number = Date.now,
): Promise<BlobCache> {
  await mkdir(dir, { recursive: true });
  const entries = new Map<string, Entry>();
  let total = 0;
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (!sha256Pattern.test(name)) {
      // a download cut short by a crash
      if (name.endsWith('.part')) await rm(path, { force: true });
      continue;
    }
    const info = await stat(path);
    entries.set(name, { size: info.size, lastUsed: info.mtimeMs, pins: 0 });
    total += info.size;
  }
  const inFlight = new Map<string, Promise<void>>();

  async function evict() {
    if (total <= maxBytes) return;
    const candidates = [...entries.entries()]
      .filter(([, e]) => e.pins === 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [sha256, entry] of candidates) {
      if (total <= maxBytes) break;
      entries.delete(sha256);
      total -= entry.size;
      await rm(join(dir, sha256), { force: true });
    }
  }

  async function download(sha256: string, size: number, fetch: () => Promise<Readable>) {
    const partial = join(dir, `${sha256}.${randomBytes(4).toString('hex')}.part`);
    const hash = createHash('sha256');
    let received = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > size) {
          done(new Error(`a fetched file is larger than the ${size} bytes it was listed with`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(await fetch(), meter, createWriteStream(partial, { flags: 'wx' }));
      const actual = hash.digest('hex');
      if (actual !== sha256 || received !== size) throw new HashMismatchError(sha256, actual, received);
      await rename(partial, join(dir, sha256));
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    entries.set(sha256, { size, lastUsed: now(), pins: 0 });
    total += size;
  }

  return {
    get bytes() {
      return total;
    },
    get files() {
      return entries.size;
    },
    async acquire(sha256, size, fetch) {
      if (!sha256Pattern.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
      let pending = inFlight.get(sha256);
      if (!entries.has(sha256) && !pending) {
        pending = download(sha256, size, fetch).finally(() => inFlight.delete(sha256));
        inFlight.set(sha256, pending);
      }
      if (pending) await pending;
      const entry = entries.get(sha256);
      if (!entry) throw new Error(`the file ${sha256} left the cache while it was fetched`);
      entry.pins += 1;
      entry.lastUsed = now();
      const at = new Date(entry.lastUsed);
      await utimes(join(dir, sha256), at, at).catch(() => undefined);
      await evict();
    },
    release(sha256) {
      const entry = entries.get(sha256);
      if (entry && entry.pins > 0) entry.pins -= 1;
      if (entry?.pins === 0) void evict().catch(() => undefined);
    },
    async materialize(sha256, target, shared) {
      await mkdir(dirname(target), { recursive: true });
      const source = join(dir, sha256);
      if (shared) {
        try {
          await link(source, target);
          return;
        } catch {
          // another file system, or links not allowed: copy instead
        }
      }
      await copyFile(source, target);
    },
  };
}
