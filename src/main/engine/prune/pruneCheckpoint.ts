import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLatestCheckpoint, type LoadedCheckpoint } from '../train/checkpoint';

const roundDirPattern = /^round-(\d+)$/;

/**
 * The newest fine-tune checkpoint a prune session wrote under `dir` (round-<r>/epoch-<e>), with its
 * round, or null when there is none (a resumed run then starts over from the dense parent).
 */
export async function loadLatestPruneCheckpoint(
  dir: string,
): Promise<{ round: number; checkpoint: LoadedCheckpoint } | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  const rounds = names
    .map((n) => roundDirPattern.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  for (const round of rounds) {
    const checkpoint = await loadLatestCheckpoint(join(dir, `round-${round}`));
    if (checkpoint) return { round, checkpoint };
  }
  return null;
}
