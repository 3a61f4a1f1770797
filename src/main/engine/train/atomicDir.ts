import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncFolder, fsyncTree } from '../files/durable';
import { scratchSibling } from '../files/scratchNames';

/**
 * Writes a directory all-or-nothing, durably: `fill` writes into a scratch sibling
 * (`.<name>.partial-<pid>-<random>`), every file and folder in it is flushed to disk, and only then does
 * it take `dir`'s name — followed by a flush of the parent, so the rename survives a power cut too. A
 * crash at any point leaves the previous contents (or nothing) under `dir`, never half a state; what the
 * crash leaves beside it carries this process's pid and is swept at the next start (files/sweepLeftovers).
 *
 * When `dir` exists it is first moved aside (`.<name>.old-<pid>-<random>`) and removed after the swap; a
 * crash between the two renames leaves only the aside copy, which the sweep puts back.
 */
export async function writeDirAtomically(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const parent = dirname(dir);
  const tmp = scratchSibling(dir, 'partial');
  await mkdir(parent, { recursive: true });
  await mkdir(tmp);
  try {
    await fill(tmp);
    await fsyncTree(tmp);
    await publishDir(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

async function publishDir(tmp: string, dir: string): Promise<void> {
  const parent = dirname(dir);
  try {
    await rename(tmp, dir);
    await fsyncFolder(parent);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw err;
  }
  const aside = scratchSibling(dir, 'old');
  await rename(dir, aside);
  await rename(tmp, dir);
  await fsyncFolder(parent);
  await rm(aside, { recursive: true, force: true });
}
