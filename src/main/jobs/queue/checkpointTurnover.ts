// A task keeps one checkpoint per folder (engine/train/checkpoint.ts): it writes epoch-N+1 whole, renames
// it into place, and only then deletes epoch-N. So a checkpoint with no newer sibling has not begun to
// go, and every file read from it so far was whole; one with a newer sibling may be half deleted.
import { readdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

const epochFolder = /^epoch-(\d+)$/;

/** Whether a newer checkpoint has replaced the one at `path` (or its folder is gone). */
export async function checkpointSuperseded(path: string): Promise<boolean> {
  const own = epochFolder.exec(basename(path));
  if (!own) return false;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return true;
  }
  return names.some((name) => {
    const match = epochFolder.exec(name);
    return match !== null && Number(match[1]) > Number(own[1]);
  });
}
