import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { ApiError } from '../../../shared/errors';
import { METADATA_FILE } from './metadata';

// The export folder is replaced whole or not at all, and never when it holds someone else's files.

/** outDir may be absent, empty, or a previous export (it has metadata.json); never someone's folder. */
export async function assertReplaceable(outDir: string): Promise<void> {
  let entries: string[];
  try {
    if (!(await stat(outDir)).isDirectory()) throw new Error(`${outDir} exists and is not a folder.`);
    entries = await readdir(outDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (entries.length > 0 && !entries.includes(METADATA_FILE)) {
    throw new ApiError({
      code: 'VALIDATION',
      message: `${outDir} is not empty and is not a PruneLab export; choose an empty or new folder so nothing in it is overwritten.`,
    });
  }
}

export async function replaceDir(from: string, to: string): Promise<void> {
  const old = `${to}.old-${randomBytes(4).toString('hex')}`;
  let moved = false;
  try {
    await rename(to, old);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(from, to);
  if (moved) await rm(old, { recursive: true, force: true });
}
