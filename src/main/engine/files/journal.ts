// Scratch that PruneLab creates outside its data directory (an export's `.partial-` folder beside the
// user's chosen folder, the zip being written, the earlier export moved aside) cannot be found again by
// scanning, so each one is noted here first: <dataDir>/scratch/<pid>-<random>.json names its path. The
// note is dropped once the scratch is gone; a note whose writer died is how a later start finds it.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { writeFileDurably } from './durable';
import { parseScratchName } from './scratchNames';

/**
 * - `folder`: a folder PruneLab created and filled; removed whole.
 * - `file`: a file PruneLab created; removed.
 * - `export`: a finished export moved aside while being replaced; only the files its metadata.json lists
 *   are removed (then the folder, if that leaves it empty).
 */
export type ScratchKind = 'folder' | 'file' | 'export';

export interface ScratchNote {
  pid: number;
  path: string;
  kind: ScratchKind;
}

export interface ScratchJournal {
  /** Notes `path` before it is created; call the returned function once it is gone or published. */
  track(path: string, kind: ScratchKind): Promise<() => Promise<void>>;
}

export const scratchJournalDir = (dataDir: string) => join(dataDir, 'scratch');

export function createScratchJournal(dataDir: string, pid = process.pid): ScratchJournal {
  const dir = scratchJournalDir(dataDir);
  return {
    async track(path, kind) {
      await mkdir(dir, { recursive: true });
      const note = join(dir, `${pid}-${randomBytes(4).toString('hex')}.json`);
      const body: ScratchNote = { pid, path, kind };
      // Durable: the note must be on disk before the scratch it names can be.
      await writeFileDurably(note, JSON.stringify(body), 'wx');
      return () => unlink(note).catch(() => undefined);
    },
  };
}

/**
 * The journal's notes: the writer's pid (from the note's file name) and the note, or null for a note that
 * does not parse as one PruneLab would write (it is then only ever deleted, never acted on).
 */
export async function readScratchNotes(
  dataDir: string,
): Promise<{ file: string; pid: number; note: ScratchNote | null }[]> {
  const dir = scratchJournalDir(dataDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: { file: string; pid: number; note: ScratchNote | null }[] = [];
  for (const name of names) {
    const match = /^(\d+)-[0-9a-f]{8}\.json$/.exec(name);
    if (!match) continue;
    const file = join(dir, name);
    const pid = Number(match[1]);
    const note = parseNote(await readFile(file, 'utf8').catch(() => ''));
    out.push({ file, pid, note: note?.pid === pid ? note : null });
  }
  return out;
}

/**
 * A note is honoured only when the path it names is one of PruneLab's scratch names carrying the same
 * pid: a damaged or planted note can never point the sweep at someone's folder.
 */
function parseNote(text: string): ScratchNote | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const { pid, path, kind } = (raw ?? {}) as Partial<ScratchNote>;
  if (typeof pid !== 'number' || typeof path !== 'string' || !isAbsolute(path)) return null;
  if (kind !== 'folder' && kind !== 'file' && kind !== 'export') return null;
  const scratch = parseScratchName(basename(path));
  if (!scratch || scratch.pid !== pid || !basename(path).startsWith('.')) return null;
  // An export moved aside is always `.old-`; a folder PruneLab filled is always `.partial-`.
  if (kind === 'export' && scratch.tag !== 'old') return null;
  if (kind === 'folder' && scratch.tag !== 'partial') return null;
  return { pid, path, kind };
}
