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

/** An upload session's folder under <dataDir>/uploads: `<pid of the server>-<random>`. */
export function uploadSessionName(pid = process.pid): string {
  return `${pid}-${randomBytes(8).toString('hex')}`;
}

export function parseUploadSession(name: string): number | null {
  const match = /^(\d+)-[0-9a-f]{16}$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** The prefix of a temp folder PruneLab makes with mkdtemp (which appends six characters). */
export function tempFolderPrefix(purpose: 'dense' | 'parity', pid = process.pid): string {
  return `prunelab-${purpose}-${pid}-`;
}

/** The wasm backend's worker script, written once per process. */
export function wasmWorkerFileName(pid = process.pid): string {
  return `prunelab-tfjs-wasm-worker-${pid}.cjs`;
}

/** The owner pid of one of PruneLab's temp folders or files, or null when the name is not one of them. */
export function tempFolderOwner(name: string): number | null {
  const match =
    /^prunelab-(?:dense|parity)-(\d+)-[A-Za-z0-9]{6}$/.exec(name) ??
    /^prunelab-tfjs-wasm-worker-(\d+)\.cjs$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** An import in progress: `.importing-<datasetId>-<pid>-<time>` under <dataDir>/datasets. */
export function importingFolderName(datasetId: string, pid = process.pid, now = Date.now()): string {
  return `.importing-${datasetId}-${pid}-${now}`;
}

export function importingFolderOwner(name: string): number | null {
  const match = /^\.importing-.+-(\d+)-\d+$/.exec(name);
  return match ? Number(match[1]) : null;
}
