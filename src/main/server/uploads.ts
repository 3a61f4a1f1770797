// Folders dropped in the browser arrive file by file into a private folder under the data directory;
// the import then reads that folder like any other path. Every relative path is checked before a byte
// is written; every file reserves its slot and its bytes from the server-wide budget (uploadLimits.ts)
// before the client is told to send it, so concurrent requests cannot overrun a cap.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { checkUploadPath, isUploadId } from '../../shared/wire';
import { ApiError } from '../../shared/errors';
import {
  checkDiskMargin,
  createByteBudget,
  formatMiB,
  freeDiskBytes,
  limitError,
  resolveUploadLimits,
  type UploadLimits,
} from './uploadLimits';

export type { UploadLimits } from './uploadLimits';

/** One file's request as the upload store sees it. */
export interface IncomingFile {
  /** Content-Length, when the client declared one. */
  declaredBytes: number | null;
  stream: Readable;
  /** Lets the client send the body (100-continue); called once every cap is reserved. */
  accept(): void;
}

interface Upload {
  dir: string;
  files: Set<string>;
  bytes: number;
  importing: boolean;
  discarded: boolean;
  /** Files still arriving, by path: what aborts them when the upload is discarded. */
  arriving: Map<string, { abort: AbortController; done: Promise<unknown> }>;
  /** When the client last did something with it (ms). */
  touchedAt: number;
}

export interface UploadStore {
  create(): Promise<{ uploadId: string }>;
  /** Streams one file into the upload; refuses bad paths and anything over a cap before keeping anything. */
  receiveFile(
    uploadId: string,
    rawPath: unknown,
    file: IncomingFile,
  ): Promise<{ path: string; bytes: number }>;
  /** The folder to import, marked so it is not deleted while the import runs. */
  folderForImport(uploadId: string): string;
  /** The import was refused: the upload may be completed or imported again. */
  releaseImport(uploadId: string): void;
  /** Deletes the upload; refused while it is being imported unless `importEnded` (the import's own end). */
  discard(uploadId: string, options?: { importEnded?: boolean }): Promise<void>;
  /** Removes every upload of this session (server shutdown). */
  close(): Promise<void>;
}

export interface UploadStoreOptions {
  limits?: Partial<UploadLimits>;
  /** Free bytes on the disk holding `path` (tests inject it; statfs by default). */
  freeDiskBytes?: (path: string) => Promise<number>;
  now?: () => number;
}

class TooLargeError extends Error {}

/**
 * Writes `source` to `target`, refusing as soon as more than `maxBytes` arrive (the request is left
 * open, so the refusal can still be answered). Resolves with the bytes written.
 */
function writeLimited(
  source: Readable,
  target: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(target, { flags: 'wx' });
    let seen = 0;
    let settled = false;
    const detach = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('aborted', onAborted);
      source.off('error', onFail);
      signal.removeEventListener('abort', onAbort);
      source.pause();
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      detach();
      out.destroy();
      // The partial file is removed by the caller once the stream has let go of it.
      out.once('close', () => reject(err));
      if (out.closed) reject(err);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) return fail(new TooLargeError());
      if (!out.write(chunk)) {
        source.pause();
        out.once('drain', () => source.resume());
      }
    };
    const onEnd = () => {
      if (settled) return;
      detach();
      out.end(() => {
        settled = true;
        resolve(seen);
      });
    };
    const onAborted = () => fail(new Error('the client stopped sending the file'));
    const onFail = (err: Error) => fail(err);
    const onAbort = () => fail(Object.assign(new Error('the upload was discarded'), { name: 'AbortError' }));
    out.on('error', onFail);
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('aborted', onAborted);
    source.once('error', onFail);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    source.resume();
  });
}

function clashError(path: string): ApiError {
  return new ApiError({ code: 'CONFLICT', message: `${path} clashes with a file uploaded before` });
}

/** `root` is this server session's own folder (e.g. <dataDir>/uploads/<session>), removed on close. */
export function createUploadStore(root: string, options: UploadStoreOptions = {}): UploadStore {
  const max = resolveUploadLimits(options.limits);
  const free = options.freeDiskBytes ?? freeDiskBytes;
  const budget = createByteBudget(max.maxTotalBytes);
  const now = options.now ?? Date.now;
  const uploads = new Map<string, Upload>();

  /** Discards uploads nobody has touched for `abandonedAfterMs` (never one being imported or receiving). */
  async function discardAbandoned(): Promise<void> {
    const idle = [...uploads].filter(
      ([, u]) => !u.importing && u.arriving.size === 0 && now() - u.touchedAt > max.abandonedAfterMs,
    );
    await Promise.all(idle.map(([id, upload]) => remove(id, upload)));
  }

  function get(uploadId: string): Upload {
    const upload = isUploadId(uploadId) ? uploads.get(uploadId) : undefined;
    if (!upload)
      throw new ApiError({
        code: 'NOT_FOUND',
        message: `no upload ${JSON.stringify(uploadId.slice(0, 64))}`,
      });
    return upload;
  }

  const budgetFull = () =>
    limitError(
      'totalBytes',
      max.maxTotalBytes,
      `uploads may hold at most ${formatMiB(max.maxTotalBytes)} at once; this file does not fit`,
    );

  /** Takes the file's slot and bytes, or throws LIMIT/CONFLICT having taken nothing. */
  function reserve(upload: Upload, path: string, declaredBytes: number | null): number {
    if (upload.files.has(path) || upload.arriving.has(path))
      throw new ApiError({ code: 'CONFLICT', message: `${path} was already uploaded` });
    if (upload.files.size + upload.arriving.size >= max.maxFiles)
      throw limitError('files', max.maxFiles, `an upload holds at most ${max.maxFiles} files`);
    if (declaredBytes !== null && declaredBytes > max.maxFileBytes)
      throw limitError('fileBytes', max.maxFileBytes, `a file may be at most ${formatMiB(max.maxFileBytes)}`);
    // A file of unknown length may take what is left, up to the file cap; it is trimmed when it ends.
    const bytes = declaredBytes ?? Math.min(max.maxFileBytes, Math.max(0, budget.available()));
    if (declaredBytes === null && bytes === 0) throw budgetFull();
    budget.reserve(bytes);
    return bytes;
  }

  async function receive(
    upload: Upload,
    path: string,
    file: IncomingFile,
    reserved: number,
    signal: AbortSignal,
  ) {
    const target = join(upload.dir, ...path.split('/'));
    const partial = `${target}.${randomBytes(4).toString('hex')}.part`;
    try {
      await checkDiskMargin(root, budget.arriving(), max, free);
      if (signal.aborted) throw new ApiError({ code: 'CONFLICT', message: 'the upload was discarded' });
      try {
        await mkdir(dirname(target), { recursive: true });
      } catch {
        throw clashError(path);
      }
      file.accept();
      const bytes = await writeLimited(file.stream, partial, reserved, signal);
      if (signal.aborted) throw new ApiError({ code: 'CONFLICT', message: 'the upload was discarded' });
      await rename(partial, target);
      return bytes;
    } catch (err) {
      await unlink(partial).catch(() => undefined);
      if (err instanceof TooLargeError) {
        throw reserved < max.maxFileBytes
          ? budgetFull()
          : limitError('fileBytes', max.maxFileBytes, `a file may be at most ${formatMiB(max.maxFileBytes)}`);
      }
      if ((err as Error).name === 'AbortError')
        throw new ApiError({ code: 'CONFLICT', message: 'the upload was discarded' });
      const code = (err as { code?: unknown }).code;
      if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOTEMPTY')
        throw clashError(path);
      throw err;
    }
  }

  async function remove(uploadId: string, upload: Upload): Promise<void> {
    upload.discarded = true;
    uploads.delete(uploadId);
    const arriving = [...upload.arriving.values()];
    for (const file of arriving) file.abort.abort();
    await Promise.allSettled(arriving.map((file) => file.done));
    // The bytes go back to the budget only once they are off the disk, or a new upload could fill the
    // disk past the cap while this one is still being deleted.
    try {
      await rm(upload.dir, { recursive: true, force: true });
    } finally {
      budget.forget(upload.bytes);
      upload.bytes = 0;
    }
  }

  return {
    async create() {
      if (uploads.size >= max.maxUploads) await discardAbandoned();
      if (uploads.size >= max.maxUploads)
        throw limitError(
          'uploads',
          max.maxUploads,
          `at most ${max.maxUploads} uploads may be open at once; finish or cancel one first`,
        );
      const uploadId = randomBytes(16).toString('hex');
      const dir = join(root, uploadId);
      uploads.set(uploadId, {
        dir,
        files: new Set(),
        bytes: 0,
        importing: false,
        discarded: false,
        arriving: new Map(),
        touchedAt: now(),
      });
      await mkdir(dir, { recursive: true });
      return { uploadId };
    },

    async receiveFile(uploadId, rawPath, file) {
      const upload = get(uploadId);
      if (upload.importing)
        throw new ApiError({ code: 'CONFLICT', message: 'this upload is already being imported' });
      const checked = checkUploadPath(rawPath);
      if (!checked.ok)
        throw new ApiError({ code: 'VALIDATION', message: `upload path refused: ${checked.reason}` });
      const path = checked.path;
      upload.touchedAt = now();
      const reserved = reserve(upload, path, file.declaredBytes);
      const abort = new AbortController();
      const done = receive(upload, path, file, reserved, abort.signal);
      upload.arriving.set(path, { abort, done });
      try {
        const bytes = await done;
        budget.commit(reserved, bytes);
        upload.files.add(path);
        upload.bytes += bytes;
        return { path, bytes };
      } catch (err) {
        budget.cancel(reserved);
        throw err;
      } finally {
        upload.arriving.delete(path);
        upload.touchedAt = now();
      }
    },

    folderForImport(uploadId) {
      const upload = get(uploadId);
      if (upload.arriving.size > 0)
        throw new ApiError({ code: 'CONFLICT', message: 'files of this upload are still arriving' });
      if (upload.files.size === 0)
        throw new ApiError({ code: 'VALIDATION', message: 'the upload has no files' });
      upload.importing = true;
      // A dropped folder arrives as "<folder>/<class>/<file>": import that folder (its name becomes the
      // dataset's default name), not the upload's own root around it.
      const tops = new Set([...upload.files].map((p) => p.split('/')[0]));
      const [top] = tops;
      const nested = [...upload.files].every((p) => p.includes('/'));
      return tops.size === 1 && nested && top !== undefined ? join(upload.dir, top) : upload.dir;
    },

    releaseImport(uploadId) {
      get(uploadId).importing = false;
    },

    async discard(uploadId, options = {}) {
      const upload = get(uploadId);
      if (upload.importing && options.importEnded !== true)
        throw new ApiError({
          code: 'CONFLICT',
          message: 'this upload is being imported; it is removed when the import ends',
        });
      await remove(uploadId, upload);
    },

    async close() {
      await Promise.all([...uploads].map(([id, upload]) => remove(id, upload)));
      await rm(root, { recursive: true, force: true });
    },
  };
}
