// What may stand where an export is about to go. A folder is PruneLab's own export only when it holds
// exactly the files its metadata.json lists (schema prunelab-export/1), each with the recorded size and
// sha256 — a folder that merely contains a file named metadata.json is someone else's. Only such a
// folder (or zip) may ever be replaced, and only when the caller asked for it (`overwrite`, the CLI's
// --force); when replaced, only the files it lists are removed.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { ApiError } from '../../../shared/errors';
import { METADATA_FILE, type ExportFileEntry } from './metadata';

export type ExistingOutput =
  | { kind: 'absent' }
  | { kind: 'empty' }
  /** `files`: every file of the export, metadata.json last */
  | { kind: 'export'; files: string[]; summary: string }
  | { kind: 'foreign'; reason: string };

const MAX_METADATA_BYTES = 16 * 2 ** 20;
/** A zip larger than this is not checked (PruneLab's exports of small CNNs are a few MiB). */
const MAX_ZIP_BYTES = 1024 * 2 ** 20;

interface Manifest {
  files: ExportFileEntry[];
  summary: string;
}

const isSha256 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
/** Exports are flat: one plain file name per entry. */
const isPlainName = (v: unknown): v is string =>
  typeof v === 'string' && v !== '' && v !== '.' && v !== '..' && !/[/\\]/.test(v) && v !== METADATA_FILE;

/** The list of files an export's metadata.json claims, or why it is not one of ours. */
function parseManifest(text: string): Manifest | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return `its ${METADATA_FILE} is not JSON`;
  }
  const m = (raw ?? {}) as Record<string, unknown>;
  if (m.schema !== 'prunelab-export/1') return `its ${METADATA_FILE} is not a PruneLab export's`;
  const files = m.files;
  if (!Array.isArray(files)) return `its ${METADATA_FILE} lists no files`;
  const entries: ExportFileEntry[] = [];
  for (const f of files as Record<string, unknown>[]) {
    if (!isPlainName(f?.path) || !Number.isSafeInteger(f?.bytes) || !isSha256(f?.sha256))
      return `its ${METADATA_FILE} lists a file PruneLab would not write`;
    entries.push({ path: f.path, bytes: f.bytes as number, sha256: f.sha256 });
  }
  if (new Set(entries.map((e) => e.path)).size !== entries.length)
    return `its ${METADATA_FILE} lists a file twice`;
  const what = [m.format, m.encoding].filter((v) => typeof v === 'string').join(' ');
  const summary = `run ${String(m.runId)}${what ? `, ${what}` : ''}, written ${String(m.createdAt)}`;
  return { files: entries, summary };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function listNames(names: string[]): string {
  const shown = names.slice(0, 4).join(', ');
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}

/** Reads what stands at `dir` without changing anything. Symbolic links are never followed. */
export async function inspectExportFolder(dir: string): Promise<ExistingOutput> {
  let info;
  try {
    info = await lstat(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'absent' };
    if (code === 'ENOTDIR') throw pathThroughFile(dir);
    throw err;
  }
  if (info.isSymbolicLink()) return { kind: 'foreign', reason: 'it is a symbolic link' };
  if (!info.isDirectory()) return { kind: 'foreign', reason: 'it is a file, not a folder' };
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.length === 0) return { kind: 'empty' };
  const names = entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
  const meta = entries.find((e) => e.name === METADATA_FILE);
  if (!meta?.isFile())
    return { kind: 'foreign', reason: `it holds ${listNames(names)}, which PruneLab did not write` };
  if ((await lstat(join(dir, METADATA_FILE))).size > MAX_METADATA_BYTES)
    return { kind: 'foreign', reason: `its ${METADATA_FILE} is too large to be PruneLab's` };
  const manifest = parseManifest(await readFile(join(dir, METADATA_FILE), 'utf8'));
  if (typeof manifest === 'string')
    return { kind: 'foreign', reason: `it holds ${listNames(names)}; ${manifest}` };
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const strangers = entries.filter((e) => e.name !== METADATA_FILE && !listed.has(e.name));
  if (strangers.length > 0) {
    const shown = strangers.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
    return { kind: 'foreign', reason: `it also holds ${listNames(shown)}, which PruneLab did not write` };
  }
  for (const entry of manifest.files) {
    const found = entries.find((e) => e.name === entry.path);
    if (!found)
      return { kind: 'foreign', reason: `${entry.path}, listed in its ${METADATA_FILE}, is missing` };
    if (!found.isFile()) return { kind: 'foreign', reason: `${entry.path} is not a plain file` };
    const path = join(dir, entry.path);
    if ((await lstat(path)).size !== entry.bytes || sha256(await readFile(path)) !== entry.sha256)
      return { kind: 'foreign', reason: `${entry.path} was changed since PruneLab wrote it` };
  }
  return {
    kind: 'export',
    files: [...manifest.files.map((f) => f.path), METADATA_FILE],
    summary: manifest.summary,
  };
}

/** Reads what stands at `zipPath`: absent, a zip of one PruneLab export (checked file by file), or not ours. */
export async function inspectExportZip(zipPath: string): Promise<ExistingOutput> {
  let info;
  try {
    info = await lstat(zipPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'absent' };
    if (code === 'ENOTDIR') throw pathThroughFile(zipPath);
    throw err;
  }
  if (!info.isFile()) return { kind: 'foreign', reason: 'it is not a plain file' };
  if (info.size > MAX_ZIP_BYTES) return { kind: 'foreign', reason: 'it is larger than any PruneLab export' };
  const data = new Uint8Array(await readFile(zipPath));
  const notOurs = { kind: 'foreign', reason: 'it is not a zip PruneLab wrote' } as const;
  let manifest: Manifest | string;
  try {
    // Two passes, each inflating only what is declared small enough: metadata.json, then the files it lists.
    const meta = unzipSync(data, {
      filter: (f) => f.name === METADATA_FILE && f.originalSize <= MAX_METADATA_BYTES,
    })[METADATA_FILE];
    if (!meta) return notOurs;
    manifest = parseManifest(new TextDecoder().decode(meta));
    if (typeof manifest === 'string') return { kind: 'foreign', reason: manifest };
    const expected = new Map(manifest.files.map((f) => [f.path, f]));
    let stranger = false;
    const files = unzipSync(data, {
      filter: (f) => {
        if (f.name === METADATA_FILE) return false;
        if (expected.get(f.name)?.bytes !== f.originalSize) stranger = true;
        return !stranger;
      },
    });
    if (stranger) return notOurs;
    for (const entry of manifest.files) {
      const bytes = files[entry.path];
      if (!bytes || sha256(bytes) !== entry.sha256) return notOurs;
    }
  } catch {
    return notOurs;
  }
  return {
    kind: 'export',
    files: [...manifest.files.map((f) => f.path), METADATA_FILE],
    summary: manifest.summary,
  };
}

export interface ExportTarget {
  outDir: string;
  /** `<outDir>.zip` when a zip is asked for */
  zipPath: string | null;
  /** replace an earlier PruneLab export there (never anything else) */
  overwrite: boolean;
}

function refuse(message: string, details: Record<string, unknown>): ApiError {
  return new ApiError({ code: 'CONFLICT', message, details });
}

/** The refusal for anything at `path` that PruneLab cannot prove it wrote. */
export function notOurs(path: string, reason: string): ApiError {
  return refuse(
    `${path} is not a PruneLab export (${reason}); nothing was changed. Choose an empty or new folder.`,
    { path, existing: 'foreign' },
  );
}

/** A folder or zip whose path runs through a file can never be written: said before any work starts. */
function pathThroughFile(path: string): ApiError {
  return refuse(
    `${path} cannot be written: a part of its path is a file, not a folder; nothing was changed. ` +
      'Choose an empty or new folder.',
    { path, existing: 'file-in-path' },
  );
}

/** Throws (code CONFLICT, nothing changed) unless `existing` at `path` may be written over. */
export function assertWritable(existing: ExistingOutput, path: string, overwrite: boolean): void {
  if (existing.kind === 'foreign') throw notOurs(path, existing.reason);
  if (existing.kind === 'export' && !overwrite) {
    throw refuse(
      `${path} already holds a PruneLab export (${existing.summary}); nothing was changed. ` +
        'Replace it with --force (overwrite), or choose another folder.',
      { path, existing: 'export' },
    );
  }
}

/** The check made before any work: the folder and the zip may both be written, or nothing starts. */
export async function assertExportTarget(target: ExportTarget): Promise<void> {
  assertWritable(await inspectExportFolder(target.outDir), target.outDir, target.overwrite);
  if (target.zipPath)
    assertWritable(await inspectExportZip(target.zipPath), target.zipPath, target.overwrite);
}

/**
 * Removes the files of an export of ours — only those its metadata.json lists, metadata.json last — then
 * the folder if that leaves it empty. Anything else found there stays.
 */
export async function removeExportFiles(dir: string): Promise<void> {
  let manifest: Manifest | string;
  try {
    manifest = parseManifest(await readFile(join(dir, METADATA_FILE), 'utf8'));
  } catch {
    manifest = 'no metadata';
  }
  if (typeof manifest !== 'string') {
    for (const f of manifest.files) await unlink(join(dir, f.path)).catch(() => undefined);
    await unlink(join(dir, METADATA_FILE)).catch(() => undefined);
  }
  await rmdir(dir).catch(() => undefined);
}
