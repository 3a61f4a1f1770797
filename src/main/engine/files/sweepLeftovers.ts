// What a killed PruneLab process leaves behind, removed at the next start. Only PruneLab's own names are
// considered (`.x.partial-<pid>-…`, `.x.old-<pid>-…`, upload sessions `<pid>-…`, imports
// `.importing-…-<pid>-…`, temp folders `prunelab-…-<pid>-…`), only inside the folders PruneLab owns
// (the data directory's runs/, exports/, datasets/, uploads/; its own temp folders), or at paths the
// scratch journal noted before creating them — and only when the pid in the name is a process that is
// gone. A folder moved aside during a replacement (`.old-`) is put back when the crash came before its
// replacement took its name; otherwise removed.
import { lstat, readdir, rename, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { removeExportFiles } from '../export/outputFolder';
import { dataLayout } from '../types';
import { readScratchNotes, type ScratchNote } from './journal';
import { isProcessAlive } from './ownerPid';
import { importingFolderOwner, parseScratchName, parseUploadSession, tempFolderOwner } from './scratchNames';

export interface SweepOptions {
  /** whether the process with this pid is running (tests inject it) */
  isAlive?: (pid: number) => boolean;
  /** where PruneLab's temp folders go (default: the OS temp folder) */
  tempDir?: string;
}

export interface SweepReport {
  /** paths removed */
  removed: string[];
  /** paths put back under their original name */
  restored: string[];
  /** what could not be swept, and why: tried again at the next start; never a reason not to start */
  failed: { path: string; reason: string }[];
}

/** How deep scratch can sit under runs/ and exports/ (runs/<id>/prune/round-3/.epoch-0002.partial-…/model). */
const MAX_DEPTH = 6;

async function kindOf(path: string): Promise<'file' | 'folder' | 'other' | null> {
  const info = await lstat(path).catch(() => null);
  if (!info) return null;
  return info.isDirectory() ? 'folder' : info.isFile() ? 'file' : 'other';
}

export async function sweepLeftovers(dataDir: string, options: SweepOptions = {}): Promise<SweepReport> {
  const isAlive = options.isAlive ?? isProcessAlive;
  const report: SweepReport = { removed: [], restored: [], failed: [] };
  const attempt = async (path: string, sweep: () => Promise<void>): Promise<boolean> => {
    try {
      await sweep();
      return true;
    } catch (err) {
      report.failed.push({ path, reason: (err as Error).message });
      return false;
    }
  };

  /** `.x.old-…` is put back as `x` when nothing took that name; else it, or `.x.partial-…`, goes. */
  async function settle(path: string, remove: () => Promise<void>): Promise<void> {
    const scratch = parseScratchName(basename(path));
    if (scratch?.tag === 'old') {
      const original = join(dirname(path), scratch.original);
      if ((await kindOf(original)) === null) {
        await rename(path, original);
        report.restored.push(original);
        return;
      }
    }
    await remove();
    report.removed.push(path);
  }

  // 1. Scratch noted in the journal (beside the user's chosen export folder, for one).
  for (const { file, pid, note } of await readScratchNotes(dataDir)) {
    if (isAlive(pid)) continue;
    // A note whose scratch could not be swept stays, so the next start tries again.
    if (note && !(await attempt(note.path, () => settleNote(note, settle)))) continue;
    await unlink(file).catch(() => undefined);
  }

  // 2. Scratch by name inside the folders PruneLab owns.
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const scratch = parseScratchName(entry.name);
      if (scratch && !isAlive(scratch.pid) && (entry.isDirectory() || entry.isFile())) {
        await attempt(path, () => settle(path, () => rm(path, { recursive: true, force: true })));
      } else if (entry.isDirectory() && !entry.isSymbolicLink() && depth < MAX_DEPTH) {
        await walk(path, depth + 1);
      }
    }
  };
  await walk(join(dataDir, 'runs'), 1);
  await walk(join(dataDir, 'exports'), 1);

  // 3. Upload sessions of a server that is gone.
  const uploads = dataLayout.uploadsDir(dataDir);
  for (const entry of await readdir(uploads, { withFileTypes: true }).catch(() => [])) {
    const pid = parseUploadSession(entry.name);
    if (pid === null || !entry.isDirectory() || isAlive(pid)) continue;
    const path = join(uploads, entry.name);
    if (await attempt(path, () => rm(path, { recursive: true, force: true }))) report.removed.push(path);
  }

  // 4. Imports that never finished, and PruneLab's own temp folders and files.
  const datasets = join(dataDir, 'datasets');
  await attempt(datasets, async () => {
    for (const name of await removeStaleImports(datasets, isAlive)) report.removed.push(join(datasets, name));
  });
  const temp = options.tempDir ?? tmpdir();
  for (const entry of await readdir(temp, { withFileTypes: true }).catch(() => [])) {
    const pid = tempFolderOwner(entry.name);
    if (pid === null || isAlive(pid) || entry.isSymbolicLink()) continue;
    const path = join(temp, entry.name);
    if (await attempt(path, () => rm(path, { recursive: true, force: true }))) report.removed.push(path);
  }
  return report;
}

/**
 * Removes temp folders of imports whose process is gone (a worker killed outright cannot clean up after
 * itself); folders of imports still running elsewhere are left alone. Returns the names removed.
 */
export async function removeStaleImports(
  datasetsDir: string,
  isAlive: (pid: number) => boolean = isProcessAlive,
): Promise<string[]> {
  const names = await readdir(datasetsDir).catch(() => [] as string[]);
  const stale = names.filter((n) => {
    const pid = importingFolderOwner(n);
    return pid !== null && !isAlive(pid);
  });
  await Promise.all(stale.map((n) => rm(join(datasetsDir, n), { recursive: true, force: true })));
  return stale;
}

async function settleNote(
  note: ScratchNote,
  settle: (path: string, remove: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const kind = await kindOf(note.path);
  if (kind === null) return; // already gone (or published under its final name)
  if (note.kind === 'folder' && kind === 'folder')
    await settle(note.path, () => rm(note.path, { recursive: true, force: true }));
  else if (note.kind === 'file' && kind === 'file') await settle(note.path, () => unlink(note.path));
  else if (note.kind === 'export' && kind === 'folder')
    await settle(note.path, () => removeExportFiles(note.path));
}
