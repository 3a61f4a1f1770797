// The two ways an import stops early: the user cancelled, or the source cannot make a dataset at all.
import { ApiError } from '../../../shared/errors';

/** A whole-import failure (empty class folder, one class, unreadable root): code IMPORT_FAILED. */
export function importFailed(message: string, details?: unknown): ApiError {
  return new ApiError(
    details === undefined ? { code: 'IMPORT_FAILED', message } : { code: 'IMPORT_FAILED', message, details },
  );
}

/** The error every engine task throws on cancel: the job runner recognises it by its name. */
export function abortError(): Error {
  const err = new Error('The import was cancelled');
  err.name = 'AbortError';
  return err;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}
