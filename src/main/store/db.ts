// The one way PruneLab opens SQLite (STYLE.md §11): WAL so readers never block the writer, foreign keys on,
// a busy timeout so the CLI and the app can share the file, synchronous=NORMAL (safe with WAL: a power cut
// may lose the last transactions, never corrupt the file). Migrations run here, before anyone reads.
import Database from 'better-sqlite3';
import { storeError, translateSqliteError } from './errors';
import { latestVersion, migrate, readUserVersion } from './migrations';

export type Db = Database.Database;

export interface OpenDbOptions {
  /** How long a writer waits for another process's lock before failing, in ms. */
  busyTimeoutMs?: number;
}

export function openDb(path: string, options: OpenDbOptions = {}): Db {
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
