// The moment a finished export takes its place. Deciding and replacing happen together: a rename that
// cannot clobber is tried first (the folder is absent or empty, the zip absent); only when something is
// there is it inspected, and only an export of ours that the caller asked to replace is moved aside —
// then inspected again, now that nobody else can reach it by its name — before the new one goes in.
// A failure at any step puts back what was there.
import { link, lstat, rename, rmdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApiError } from '../../../shared/errors';
import { fsyncFolder } from '../files/durable';
import type { ScratchJournal } from '../files/journal';
import { scratchSibling } from '../files/scratchNames';
import {
  assertWritable,
  inspectExportFolder,
  inspectExportZip,
  notOurs,
  removeExportFiles,
} from './outputFolder';

export interface PlaceExportOptions {
  /** the finished export, written into a scratch sibling of outDir */
  work: string;
  outDir: string;
  /** the finished zip in a scratch file beside its final path */
  zip: { tmp: string; path: string } | null;
  overwrite: boolean;
  journal?: ScratchJournal;
}

const noteless = async () => async () => undefined;

/** rename(2) that never replaces a non-empty folder or a file: false when something is in the way. */
async function renameIfFree(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') return false;
    if (code === 'EPERM' || code === 'EACCES') {
      // Windows will not rename onto an existing folder, even an empty one.
      if ((await lstat(to).catch(() => null)) !== null) return false;
    }
    throw err;
  }
}

/** Publishes `tmp` as `path` unless a file is already there (hard link: atomic and never clobbers). */
async function publishFileIfFree(tmp: string, path: string): Promise<boolean> {
  try {
    await link(tmp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // No hard links here (FAT, some network shares): check, then rename — a narrower guarantee.
    if ((await lstat(path).catch(() => null)) !== null) return false;
    await rename(tmp, path);
    return true;
  }
  await unlink(tmp);
  return true;
}

interface Undo {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Puts back what was moved aside; never over something that appeared at its name meanwhile. */
async function putBack(aside: string, path: string, isFolder: boolean): Promise<void> {
  const done = isFolder ? await renameIfFree(aside, path) : await publishFileIfFree(aside, path);
  if (!done)
    throw new ApiError({
      code: 'CONFLICT',
      message: `${path} changed while the export was replacing it; what stood there is kept at ${aside}.`,
      details: { path, keptAt: aside },
    });
}

const APPEARED = 'something else appeared there while the export was replacing it';

async function placeZip(
  tmp: string,
  path: string,
  overwrite: boolean,
  journal: ScratchJournal | undefined,
): Promise<Undo> {
  if (await publishFileIfFree(tmp, path)) {
    return {
      commit: () => fsyncFolder(dirname(path)),
      rollback: () => unlink(path).catch(() => undefined),
    };
  }
  const existing = await inspectExportZip(path);
  assertWritable(existing, path, overwrite);
  if (existing.kind !== 'export') throw notOurs(path, APPEARED);
  const aside = scratchSibling(path, 'old');
  const release = await (journal?.track ?? noteless)(aside, 'file');
  await rename(path, aside);
  const moved = await inspectExportZip(aside);
  const placed = moved.kind === 'export' && (await publishFileIfFree(tmp, path));
  if (!placed) {
    // Forget the note first: from here on the file at `aside` may not be ours to remove.
    await release();
    await putBack(aside, path, false);
    throw notOurs(path, moved.kind === 'foreign' ? moved.reason : APPEARED);
  }
  return {
    async commit() {
      await fsyncFolder(dirname(path));
      await unlink(aside).catch(() => undefined);
      await release();
    },
    async rollback() {
      await rename(aside, path);
      await release();
    },
  };
}

async function placeFolder(
  work: string,
  outDir: string,
  overwrite: boolean,
  journal: ScratchJournal | undefined,
): Promise<void> {
  if (await renameIfFree(work, outDir)) return;
  // An empty folder in the way (Windows) is removed: rmdir never removes anything that holds a file.
  const removedEmpty = await rmdir(outDir).then(
    () => true,
    () => false,
  );
  if (removedEmpty && (await renameIfFree(work, outDir))) return;
  const existing = await inspectExportFolder(outDir);
  assertWritable(existing, outDir, overwrite);
  if (existing.kind !== 'export') {
    // It went away since the first attempt: one more try, then give up rather than loop.
    if (await renameIfFree(work, outDir)) return;
    throw notOurs(outDir, APPEARED);
  }
  const aside = scratchSibling(outDir, 'old');
  const release = await (journal?.track ?? noteless)(aside, 'export');
  await rename(outDir, aside);
  const moved = await inspectExportFolder(aside);
  const placed = moved.kind === 'export' && (await renameIfFree(work, outDir));
  if (!placed) {
    await release();
    await putBack(aside, outDir, true);
    throw notOurs(outDir, moved.kind === 'foreign' ? moved.reason : APPEARED);
  }
  await fsyncFolder(dirname(outDir));
  await removeExportFiles(aside);
  await release();
}

/** Puts the finished export (and its zip) in place, all or nothing; see the file's header. */
export async function placeExport(o: PlaceExportOptions): Promise<void> {
  const zip = o.zip ? await placeZip(o.zip.tmp, o.zip.path, o.overwrite, o.journal) : null;
  try {
    await placeFolder(o.work, o.outDir, o.overwrite, o.journal);
  } catch (err) {
    await zip?.rollback();
    throw err;
  }
  await fsyncFolder(dirname(o.outDir));
  await zip?.commit();
}
