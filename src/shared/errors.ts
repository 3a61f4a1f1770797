// Errors cross every process boundary as data, never as thrown exceptions (STYLE.md §4).

export const errorCodes = [
  'VALIDATION', // a payload failed its schema or a semantic check
  'NOT_FOUND', // the dataset, run, job or artifact does not exist
  'CONFLICT', // the request clashes with current state (e.g. cancel a finished run)
  'CANCELLED', // the user cancelled the job
  'UNSUPPORTED', // not available in this mode (e.g. reveal-in-folder in serve mode)
  'IMPORT_FAILED', // a dataset could not be imported at all (empty, one class, unreadable root)
  'ENGINE', // training, pruning or export failed inside the engine
  'PARITY_FAILED', // an export does not predict like the app
  'STORE', // the database refused (e.g. newer schema than this app)
  'LIMIT', // a cap was reached: upload too large, disk nearly full, too many queued jobs (details say which)
  'FORBIDDEN', // wrong token, foreign origin, unknown IPC sender
  'INTERNAL', // a bug: anything not classified above
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ApiErrorData {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiErrorData };

/** The client-side form of a failure: a real Error subclass that keeps the code and details. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(data: ApiErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.code = data.code;
    this.details = data.details;
  }

  toData(): ApiErrorData {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, details?: unknown): Result<never> {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

/** Turns anything thrown into error data; ApiErrors keep their code, the rest become INTERNAL. */
export function toErrorData(err: unknown): ApiErrorData {
  if (err instanceof ApiError) return err.toData();
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}
