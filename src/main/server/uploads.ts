// Folders dropped in the browser arrive file by file into a private folder under the data directory;
// the import then reads that folder like any other path. Every relative path is checked before a byte
// is written, and the limits bound one upload's size and file count.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkUploadPath, isUploadId, wireLimits } from '../../shared/wire';
import { ApiError } from '../../shared/errors';

export interface UploadLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
}

interface Upload {
  dir: string;
  files: Set<string>;
  bytes: number;
  importing: boolean;
}

export interface UploadStore {
  create(): Promise<{ uploadId: string }>;
  /** Streams one file into the upload; refuses bad paths and oversize files before keeping anything. */
  receiveFile(
    uploadId: string,
    rawPath: unknown,
    body: IncomingMessage,
  ): Promise<{ path: string; bytes: number }>;
  /** The folder to import, marked so it is not deleted while the import runs. */
  folderForImport(uploadId: string): string;
  /** The import was refused: the upload may be completed or imported again. */
  releaseImport(uploadId: string): void;
  discard(uploadId: string): Promise<void>;
  /** Removes every upload of this session (server shutdown). */
  close(): Promise<void>;
}

class TooLargeError extends Error {}

/** Past this many discarded bytes an oversized file is cut off instead of drained. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Passes bytes through up to maxBytes; past that it discards the rest (so the client, still sending,
 * gets a clear answer rather than a reset) and reports the overflow via `overflowed()`.
 */
function limiter(maxBytes: number): Transform & { bytes: () => number; overflowed: () => boolean } {
  let seen = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes + MAX_DRAIN_BYTES) {
        callback(new TooLargeError(`file is larger than ${maxBytes} bytes`));
        return;
      }
      callback(null, seen > maxBytes ? undefined : chunk);
    },
  });
  return Object.assign(stream, { bytes: () => seen, overflowed: () => seen > maxBytes });
}

/** `root` is this server session's own folder (e.g. <dataDir>/uploads/<session>), removed on close. */
export function createUploadStore(root: string, limits: Partial<UploadLimits> = {}): UploadStore {
  const max: UploadLimits = {
    maxFileBytes: limits.maxFileBytes ?? wireLimits.maxUploadFileBytes,
    maxTotalBytes: limits.maxTotalBytes ?? wireLimits.maxUploadTotalBytes,
    maxFiles: limits.maxFiles ?? wireLimits.maxUploadFiles,
  };
  const uploads = new Map<string, Upload>();

  function get(uploadId: string): Upload {
    const upload = isUploadId(uploadId) ? uploads.get(uploadId) : undefined;
    if (!upload)
      throw new ApiError({
        code: 'NOT_FOUND',
        message: `no upload ${JSON.stringify(uploadId.slice(0, 64))}`,
      });
    return upload;
  }

  return {
    async create() {
      const uploadId = randomBytes(16).toString('hex');
      const dir = join(root, uploadId);
      await mkdir(dir, { recursive: true });
      uploads.set(uploadId, { dir, files: new Set(), bytes: 0, importing: false });
      return { uploadId };
    },

    async receiveFile(uploadId, rawPath, body) {
      const upload = get(uploadId);
      if (upload.importing)
        throw new ApiError({ code: 'CONFLICT', message: 'this upload is already being imported' });
      const checked = checkUploadPath(rawPath);
      if (!checked.ok)
        throw new ApiError({ code: 'VALIDATION', message: `upload path refused: ${checked.reason}` });
      if (upload.files.has(checked.path)) {
        throw new ApiError({ code: 'CONFLICT', message: `${checked.path} was already uploaded` });
      }
      if (upload.files.size >= max.maxFiles) {
        throw new ApiError({ code: 'VALIDATION', message: `an upload holds at most ${max.maxFiles} files` });
      }
      const remaining = max.maxTotalBytes - upload.bytes;
      const fileLimit = Math.min(max.maxFileBytes, remaining);
      const target = join(upload.dir, ...checked.path.split('/'));
      const partial = `${target}.${randomBytes(4).toString('hex')}.part`;
      try {
        await mkdir(dirname(target), { recursive: true });
      } catch {
        throw new ApiError({
          code: 'CONFLICT',
          message: `${checked.path} clashes with a file uploaded before`,
        });
      }
      const limit = limiter(fileLimit);
      try {
        await pipeline(body, limit, createWriteStream(partial, { flags: 'wx' }));
        if (limit.overflowed()) throw new TooLargeError(`file is larger than ${fileLimit} bytes`);
        if (upload.files.has(checked.path))
          throw new ApiError({ code: 'CONFLICT', message: `${checked.path} was already uploaded` });
        await rename(partial, target);
      } catch (err) {
        await unlink(partial).catch(() => undefined);
        if (err instanceof TooLargeError) {
          throw new ApiError({
            code: 'VALIDATION',
            message: fileLimit < max.maxFileBytes ? 'the upload is larger than allowed' : err.message,
          });
        }
        const code = (err as { code?: unknown }).code;
        if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOTEMPTY') {
          throw new ApiError({
            code: 'CONFLICT',
            message: `${checked.path} clashes with a file uploaded before`,
          });
        }
        throw err;
      }
      const bytes = limit.bytes();
      upload.files.add(checked.path);
      upload.bytes += bytes;
      return { path: checked.path, bytes };
    },

    folderForImport(uploadId) {
      const upload = get(uploadId);
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

    async discard(uploadId) {
      const upload = get(uploadId);
      uploads.delete(uploadId);
      await rm(upload.dir, { recursive: true, force: true });
    },

    async close() {
      uploads.clear();
      await rm(root, { recursive: true, force: true });
    },
  };
}
