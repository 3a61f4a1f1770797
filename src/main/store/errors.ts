// The store speaks the shared error vocabulary: what the database refuses is an ApiError with code
// 'STORE', a write naming a row that does not exist is NOT_FOUND — so services pass both on as data.
// Anything else SQLite throws (a CHECK failing, a STRICT type mismatch) is a bug and stays as it is.
import { ApiError } from '../../shared/errors';

export function storeError(message: string, details?: unknown): ApiError {
  return new ApiError(
    details === undefined ? { code: 'STORE', message } : { code: 'STORE', message, details },
  );
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError({ code: 'NOT_FOUND', message: `no ${what} with id ${id}`, details: { id } });
}

function sqliteCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

export function isForeignKeyError(err: unknown): boolean {
  return sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Refusals of the database itself (lock, disk, permissions, corruption) as STORE errors. */
export function translateSqliteError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  const code = sqliteCode(err);
  const message = (err as Error).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return storeError(`The database is busy: another PruneLab process kept it locked too long (${message})`, {
      code,
    });
  }
  if (code.startsWith('SQLITE_FULL'))
    return storeError(`The disk holding the database is full (${message})`, { code });
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_PERM')
  ) {
    return storeError(`The database cannot be written (${message})`, { code });
  }
  if (
    code.startsWith('SQLITE_CORRUPT') ||
    code.startsWith('SQLITE_NOTADB') ||
    code.startsWith('SQLITE_IOERR')
  ) {
    return storeError(`The database file is damaged or unreadable (${message})`, { code });
  }
  return err;
}

/** Wraps every method of a repository so database refusals leave it as STORE errors. */
export function guardRepository<T extends object>(repo: T): T {
  const guarded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(repo)) {
    guarded[key] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            try {
              return (value as (...a: unknown[]) => unknown)(...args);
            } catch (err) {
              throw translateSqliteError(err);
            }
          }
        : value;
  }
  return guarded as T;
}

/** Runs a write whose only foreign key is `runId`: a missing run becomes NOT_FOUND. */
export function forRun<T>(runId: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    if (isForeignKeyError(err)) throw notFound('run', runId);
    throw err;
  }
}
