import { mkdir, rename, rm } from 'node:fs/promises';

/**
 * Writes a directory all-or-nothing: `fill` writes into a sibling temporary directory, which then
 * replaces `dir`. A crash mid-write leaves the previous contents (or nothing), never half a state.
 */
export async function writeDirAtomically(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const tmp = `${dir}.partial-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}
