// Writes that survive a power cut: data is flushed before the rename that publishes it, and the folder
// holding the rename is flushed after it (POSIX makes neither implicit). Windows cannot fsync a folder;
// there NTFS journals the rename itself, so that step is skipped.
import { open, readdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const canSyncFolders = process.platform !== 'win32';

export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function fsyncFolder(dir: string): Promise<void> {
  if (canSyncFolders) await fsyncPath(dir);
}

/** Flushes every file and folder under `dir` (and `dir` itself), deepest first. */
export async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(path);
    else if (entry.isFile()) await fsyncPath(path);
  }
  await fsyncFolder(dir);
}

/** Writes a whole file and flushes it to disk before returning. */
export async function writeFileDurably(path: string, data: string | Uint8Array, flag = 'w'): Promise<void> {
  const handle = await open(path, flag);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** rename(2), then the parent folder flushed so the new name is on disk too. */
export async function renameDurably(from: string, to: string): Promise<void> {
  await rename(from, to);
  await fsyncFolder(dirname(to));
}
