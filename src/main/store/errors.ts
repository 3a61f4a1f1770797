// The store speaks the shared error vocabulary: everything it refuses is an ApiError with code 'STORE'
// (or NOT_FOUND / CONFLICT where that is what the caller must tell the user), so services pass it on as data.
import { ApiError } from '../../shared/errors';

export function storeError(message: string, details?: unknown): ApiError {
  return new ApiError(
    details === undefined ? { code: 'STORE', message } : { code: 'STORE', message, details },
  );
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError({ code: 'NOT_FOUND', message: `${what} ${id} does not exist`, details: { id } });
}
