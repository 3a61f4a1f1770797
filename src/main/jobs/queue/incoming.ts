// Files a worker sends back (checkpoints, the final model, exports) arrive here: each is streamed into
// a staging folder of its job, its sha256 checked, then a whole folder is moved into place at once — so
// the data directory never holds half a checkpoint, and a crash leaves only staging, which the next
// start removes. A worker may write only under its own run's folders (runs/<runId>, exports/<runId>).
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { remoteLimits, sha256Pattern } from './remoteWire';

export class IncomingError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
    this.name = 'IncomingError';
  }
}

export interface Incoming {
  receive(
    jobId: string,
    runId: string | null,
    rawPath: unknown,
    sha256: unknown,
    body: Readable,
  ): Promise<{ bytes: number }>;
  /** Moves the staged file or folder `rawPath` into the data directory, replacing what was there. */
  commit(jobId: string, runId: string | null, rawPath: unknown, keepSiblings?: string[]): Promise<void>;
  discard(jobId: string): Promise<void>;
  /** Removes staging left by a coordinator that stopped mid-upload. */
  cleanAll(): Promise<void>;
}

const checkpointName = /^(epoch|round)-\d+$/;

/** A path a job may write: runs/<runId>/… or exports/<runId>/…, plain segments only. */
export function checkWritablePath(rawPath: unknown, runId: string | null): string {
  if (typeof rawPath !== 'string' || rawPath.length === 0 || rawPath.length > 1024)
    throw new IncomingError('path is missing or too long');
  if (!runId) throw new IncomingError('this job has no run to write files for');
  const segments = rawPath.split('/');
  const bad = segments.find(
    (s) => s === '' || s === '.' || s === '..' || s.length > 255 || /[\\\0:]/.test(s),
  );
  if (bad !== undefined || segments.length > 32)
    throw new IncomingError(`path ${JSON.stringify(rawPath.slice(0, 200))} is not a plain relative path`);
  const [top, owner] = segments;
  if ((top !== 'runs' && top !== 'exports') || owner !== runId || segments.length < 3)
    throw new IncomingError(`a job of run ${runId} may only write under runs/${runId}/ or exports/${runId}/`);
  return segments.join('/');
}

export function createIncoming(dataDir: string): Incoming {
  const root = join(dataDir, '.incoming');
  const uploaded = new Map<string, number>();
  const stagingOf = (jobId: string) => join(root, jobId.replace(/[^A-Za-z0-9_-]/g, '_'));

  return {
    async receive(jobId, runId, rawPath, sha256, body) {
      const path = checkWritablePath(rawPath, runId);
      if (typeof sha256 !== 'string' || !sha256Pattern.test(sha256))
        throw new IncomingError('sha256 must be 64 lowercase hex digits');
      const target = join(stagingOf(jobId), ...path.split('/'));
      const partial = `${target}.${randomBytes(4).toString('hex')}.part`;
      await mkdir(dirname(target), { recursive: true });
      const hash = createHash('sha256');
      let bytes = 0;
      const before = uploaded.get(jobId) ?? 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          if (bytes > remoteLimits.maxFileBytes || before + bytes > remoteLimits.maxJobUploadBytes) {
            done(new IncomingError('the upload is larger than a job may send', 413));
            return;
          }
          hash.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(body, meter, createWriteStream(partial, { flags: 'wx' }));
        const actual = hash.digest('hex');
        if (actual !== sha256)
          throw new IncomingError(`${path} arrived with sha256 ${actual}, not ${sha256}`);
        await rename(partial, target);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
      uploaded.set(jobId, before + bytes);
      return { bytes };
    },

    async commit(jobId, runId, rawPath, keepSiblings) {
      const path = checkWritablePath(rawPath, runId);
      const staged = join(stagingOf(jobId), ...path.split('/'));
      try {
        await stat(staged);
      } catch {
        throw new IncomingError(`nothing was uploaded for ${path}`);
      }
      const target = join(dataDir, ...path.split('/'));
      const swap = `${target}.incoming-${randomBytes(4).toString('hex')}`;
      await mkdir(dirname(target), { recursive: true });
      await rename(staged, swap);
      await rm(target, { recursive: true, force: true });
      await rename(swap, target);
      // Mirror the worker dropping older checkpoints, and only those: nothing else here is deleted.
      if (keepSiblings && path.split('/')[2] === 'checkpoints') {
        const keep = new Set(keepSiblings);
        const parent = dirname(target);
        for (const name of await readdir(parent)) {
          if (checkpointName.test(name) && !keep.has(name) && join(parent, name) !== target)
            await rm(join(parent, name), { recursive: true, force: true });
        }
      }
    },

    async discard(jobId) {
      uploaded.delete(jobId);
      await rm(stagingOf(jobId), { recursive: true, force: true });
    },

    async cleanAll() {
      uploaded.clear();
      await rm(root, { recursive: true, force: true });
    },
  };
}
