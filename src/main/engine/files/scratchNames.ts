// PruneLab's own names for what it writes before it is complete (`.partial-`) and for what it has moved
// aside while replacing it (`.old-`). Both carry the writer's pid, so a later start can tell a crash's
// leftovers (owner gone) from another process's work in progress (owner alive) by the name alone.
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export type ScratchTag = 'partial' | 'old';

const scratchPattern = /\.(partial|old)-(\d+)(?:-[0-9a-f]{8})?$/;

/** `<dir>/.<name>.<tag>-<pid>-<random>`: a hidden sibling of `target`, unique to this call. */
export function scratchSibling(target: string, tag: ScratchTag, pid = process.pid): string {
  return join(dirname(target), `.${basename(target)}.${tag}-${pid}-${randomBytes(4).toString('hex')}`);
}

/** The tag and owner pid of a scratch name, or null when the name is not one of ours. */
export function parseScratchName(name: string): { tag: ScratchTag; pid: number; original: string } | null {
  const match = scratchPattern.exec(name);
  if (!match) return null;
  const pid = Number(match[2]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  const stem = name.slice(0, match.index);
  return { tag: match[1] as ScratchTag, pid, original: stem.startsWith('.') ? stem.slice(1) : stem };
}
