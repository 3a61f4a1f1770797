// The coordinator's side of "data by content hash": lists the files a job needs (a dataset cache, a
// parent's model, a run's checkpoints) with their sha256, and serves a file only by a hash it has
// listed — no path ever comes from the network. Hashes are remembered by (path, size, mtime), so a
// dataset hashed for the first cell of a sweep is not read again for the next.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { RemoteFile } from './remoteWire';

interface Known {
  absolute: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface OfferedFile {
  absolute: string;
  size: number;
}

export interface FileIndex {
  /** Every regular file under these folders or files (missing ones are skipped), hashed. */
  manifest(paths: string[]): Promise<RemoteFile[]>;
  /** A file listed before under this hash, if it is still unchanged on disk. */
  offered(sha256: string): Promise<OfferedFile | null>;
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** `absolute` as a path under `dataDir` with forward slashes (how paths cross machines). */
export function toRemotePath(dataDir: string, absolute: string): string {
  return relative(dataDir, absolute).split(sep).join('/');
}

export function createFileIndex(dataDir: string): FileIndex {
  const byPath = new Map<string, Known>();
  const byHash = new Map<string, Known>();

  async function hashOf(absolute: string, size: number, mtimeMs: number): Promise<string> {
    const known = byPath.get(absolute);
    if (known && known.size === size && known.mtimeMs === mtimeMs) return known.sha256;
    const sha256 = await sha256File(absolute);
    const entry = { absolute, size, mtimeMs, sha256 };
    byPath.set(absolute, entry);
    byHash.set(sha256, entry);
    return sha256;
  }

  async function walk(path: string, out: RemoteFile[]): Promise<void> {
    let info;
    try {
      info = await stat(path);
    } catch {
      return;
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).sort();
      for (const name of names) {
        // half-written folders (an atomic write in progress) are not part of what a job needs
        if (name.includes('.partial-') || name.includes('.incoming-')) continue;
        await walk(join(path, name), out);
      }
      return;
    }
    if (!info.isFile()) return;
    const sha256 = await hashOf(path, info.size, info.mtimeMs);
    out.push({ path: toRemotePath(dataDir, path), sha256, size: info.size });
  }

  return {
    async manifest(paths) {
      const out: RemoteFile[] = [];
      for (const path of paths) await walk(path, out);
      return out;
    },
    async offered(sha256) {
      const known = byHash.get(sha256);
      if (!known) return null;
      try {
        const info = await stat(known.absolute);
        if (info.size !== known.size || info.mtimeMs !== known.mtimeMs) return null;
      } catch {
        return null;
      }
      return { absolute: known.absolute, size: known.size };
    },
  };
}
