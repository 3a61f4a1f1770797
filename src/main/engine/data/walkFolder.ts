// Walks an image-folder dataset without following it into trouble: the directory listing is streamed
// (fs.opendir), symlinked folders are followed once (a link back to an ancestor or to a folder already read
// is reported as a symlink loop), depth is bounded, FIFOs and devices are never opened, junk is skipped.
// Produces the list of candidate files in a stable order; reading and decoding them is the doctor's job.
import { opendir, stat, lstat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ImportProblem } from '../../../shared/dto';
import { importFailed, throwIfAborted } from './errors';
import { isJunkName } from './junk';
import type { SplitName } from './split';

export interface FileEntry {
  absPath: string;
  /** relative to the dataset root, '/'-separated */
  relPath: string;
  className: string;
  /** the split folder it came from, when the dataset has train/val/test folders */
  split: SplitName | null;
}

export interface ClassFolder {
  name: string;
  split: SplitName | null;
  absPath: string;
}

export interface FolderWalk {
  files: FileEntry[];
  classFolders: ClassFolder[];
  problems: ImportProblem[];
  /** files lying outside any class folder (ignored) */
  looseFiles: string[];
  splitFolders: boolean;
}

export interface WalkOptions {
  maxDepth: number;
  /** more entries than this in the whole tree stop the import (it would not fit a training run anyway) */
  maxEntries?: number;
  signal?: AbortSignal;
  /** entries seen so far; called every few thousand entries */
  onProgress?: (seen: number) => void;
}

export const DEFAULT_MAX_ENTRIES = 2_000_000;

/** What every folder listing shares: where problems go, how far the walk got, and when to stop. */
interface WalkState {
  rel: (p: string) => string;
  problems: ImportProblem[];
  seen: number;
  options: WalkOptions;
}

const splitFolderNames: Record<string, SplitName> = {
  train: 'train',
  training: 'train',
  val: 'validation',
  valid: 'validation',
  validation: 'validation',
  test: 'test',
  testing: 'test',
};

type Kind = 'file' | 'dir' | 'other';

function kindOf(s: Dirent | Stats): Kind | null {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  if (s.isFIFO() || s.isSocket() || s.isBlockDevice() || s.isCharacterDevice()) return 'other';
  return null; // a symlink (Dirent), or a filesystem that reports no type
}

const idOf = (s: Stats): string => `${s.dev}:${s.ino}`;
const errCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'error';

interface Listed {
  name: string;
  kind: Kind;
  absPath: string;
}

/** One folder's entries, junk dropped, symlinks resolved (their problems reported), sorted by name. */
async function listFolder(absPath: string, state: WalkState): Promise<Listed[]> {
  const { rel, problems, options } = state;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const out: Listed[] = [];
  let dir;
  try {
    dir = await opendir(absPath, { bufferSize: 1024 });
  } catch (err) {
    problems.push({
      path: rel(absPath),
      reason: 'unreadable',
      detail: `folder cannot be opened (${errCode(err)})`,
    });
    return out;
  }
  // Entries come in batches of bufferSize (readSync only blocks when a batch runs out), so a folder of
  // millions streams in bounded memory; every few thousand entries the walk yields, so a cancel gets through.
  try {
    for (let d = dir.readSync(); d !== null; d = dir.readSync()) {
      if (++state.seen % 4096 === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(options.signal);
        options.onProgress?.(state.seen);
      }
      if (state.seen > maxEntries)
        throw importFailed(
          `${rel(absPath) || 'The folder'} holds more than ${maxEntries.toLocaleString('en')} files and folders; ` +
            'PruneLab imports datasets up to that size.',
        );
      if (isJunkName(d.name)) continue;
      const path = join(absPath, d.name);
      const kind = kindOf(d) ?? (await resolveKind(d, path, state));
      if (kind) out.push({ name: d.name, kind, absPath: path });
    }
  } finally {
    dir.closeSync();
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A link's target kind (or a typeless entry's), via stat; a loop or a broken link is reported, giving null. */
async function resolveKind(d: Dirent, path: string, state: WalkState): Promise<Kind | null> {
  try {
    return kindOf(d.isSymbolicLink() ? await stat(path) : await lstat(path)) ?? 'other';
  } catch (err) {
    const code = errCode(err);
    state.problems.push(
      code === 'ELOOP'
        ? { path: state.rel(path), reason: 'symlink-loop', detail: 'the link resolves to itself' }
        : { path: state.rel(path), reason: 'unreadable', detail: code === 'ENOENT' ? 'broken link' : code },
    );
    return null;
  }
}

interface Pending {
  absPath: string;
  depth: number;
  /** identities of the folders above, to tell a loop from a second route to the same folder */
  ancestors: string[];
}

export async function walkImageFolder(root: string, options: WalkOptions): Promise<FolderWalk> {
  const problems: ImportProblem[] = [];
  // Every path below is built by join(root, …), so its relative form is a slice (path.relative is costly).
  const prefix = join(root, 'x').slice(0, -1);
  const rel = (p: string): string =>
    p.startsWith(prefix)
      ? sep === '/'
        ? p.slice(prefix.length)
        : p.slice(prefix.length).split(sep).join('/')
      : relative(root, p).split(sep).join('/');
  const state: WalkState = { rel, problems, seen: 0, options };
  const files: FileEntry[] = [];
  const looseFiles: string[] = [];
  const visited = new Map<string, string>(); // folder identity → first relative path
  const rootStat = await stat(root);
  visited.set(idOf(rootStat), '.');

  const top = await listFolder(root, state);
  const topDirs = top.filter((e) => e.kind === 'dir');
  const splitFolders =
    topDirs.some((d) => splitFolderNames[d.name.toLowerCase()] === 'train') &&
    topDirs.every((d) => splitFolderNames[d.name.toLowerCase()] !== undefined);

  const classFolders: ClassFolder[] = [];
  const addLoose = (entries: Listed[]): void => {
    for (const e of entries) if (e.kind !== 'dir') looseFiles.push(rel(e.absPath));
  };
  addLoose(top);
  if (splitFolders) {
    for (const d of topDirs) {
      const split = splitFolderNames[d.name.toLowerCase()] ?? 'train';
      const inner = await listFolder(d.absPath, state);
      addLoose(inner);
      for (const c of inner)
        if (c.kind === 'dir') classFolders.push({ name: c.name, split, absPath: c.absPath });
    }
  } else {
    for (const d of topDirs) classFolders.push({ name: d.name, split: null, absPath: d.absPath });
  }

  for (const folder of classFolders) {
    const stack: Pending[] = [
      { absPath: folder.absPath, depth: splitFolders ? 2 : 1, ancestors: [idOf(rootStat)] },
    ];
    while (stack.length > 0) {
      throwIfAborted(options.signal);
      const current = stack.pop() as Pending;
      let id: string;
      try {
        id = idOf(await stat(current.absPath));
      } catch (err) {
        problems.push({ path: rel(current.absPath), reason: 'unreadable', detail: errCode(err) });
        continue;
      }
      const seenAt = visited.get(id);
      if (seenAt !== undefined) {
        const loop = current.ancestors.includes(id);
        problems.push({
          path: rel(current.absPath),
          reason: 'symlink-loop',
          detail: loop
            ? `links back to its own parent folder '${seenAt}'`
            : `links to '${seenAt}', which is already imported`,
        });
        continue;
      }
      visited.set(id, rel(current.absPath));
      if (current.depth > options.maxDepth) {
        problems.push({
          path: rel(current.absPath),
          reason: 'too-deep',
          detail: `more than ${options.maxDepth} folders deep`,
        });
        continue;
      }
      const entries = await listFolder(current.absPath, state);
      const subfolders: Pending[] = [];
      for (const e of entries) {
        if (e.kind === 'dir') {
          subfolders.push({
            absPath: e.absPath,
            depth: current.depth + 1,
            ancestors: [...current.ancestors, id],
          });
        } else if (e.kind === 'other') {
          problems.push({
            path: rel(e.absPath),
            reason: 'unreadable',
            detail: 'not a regular file (FIFO, socket or device)',
          });
        } else {
          files.push({
            absPath: e.absPath,
            relPath: rel(e.absPath),
            className: folder.name,
            split: folder.split,
          });
        }
      }
      stack.push(...subfolders.reverse());
    }
  }
  options.onProgress?.(state.seen);
  const byPath = (a: { relPath: string }, b: { relPath: string }): number =>
    a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0;
  files.sort(byPath);
  return { files, classFolders, problems, looseFiles, splitFolders };
}
