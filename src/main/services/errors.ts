// Short constructors for the typed errors handlers throw; dispatch turns them into error data.
import { ApiError, errorCodes, type ApiErrorData, type ErrorCode } from '../../shared/errors';
import type { WorkerError } from '../jobs/protocol';

export const notFound = (what: string, id: string) =>
  new ApiError({ code: 'NOT_FOUND', message: `no ${what} with id ${id}`, details: { id } });
export const conflict = (message: string, details?: unknown) =>
  new ApiError(
    details === undefined ? { code: 'CONFLICT', message } : { code: 'CONFLICT', message, details },
  );
export const invalid = (message: string) => new ApiError({ code: 'VALIDATION', message });
export const unsupported = (message: string) => new ApiError({ code: 'UNSUPPORTED', message });

const codes = new Set<string>(errorCodes);

/** A task's failure as API error data: its own code when it names one (PARITY_FAILED…), else `fallback`. */
export function workerErrorToData(error: WorkerError, fallback: ErrorCode): ApiErrorData {
  const code = error.code !== undefined && codes.has(error.code) ? (error.code as ErrorCode) : fallback;
  return error.details === undefined
    ? { code, message: error.message }
    : { code, message: error.message, details: error.details };
}
