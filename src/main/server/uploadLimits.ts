// The caps on uploads, and the one budget every upload session of a server draws from. A file reserves
// its bytes and its slot before its first byte is accepted, so concurrent requests cannot all pass a
// check made before any of them was counted.
import { statfs } from 'node:fs/promises';
import { ApiError } from '../../shared/errors';
import { wireLimits } from '../../shared/wire';

export interface UploadLimits {
  maxFileBytes: number;
  /** Bytes held by every upload of this server together (uploaded and still arriving). */
  maxTotalBytes: number;
  /** Files in one upload. */
  maxFiles: number;
  /** Upload sessions open at once. */
  maxUploads: number;
  /** A file is refused when the disk's free space would drop under this. */
  minFreeDiskBytes: number;
  /**
   * An upload untouched this long (its tab closed mid-way) is discarded when a new one needs its place,
   * so abandoned sessions cannot hold the caps forever.
   */
  abandonedAfterMs: number;
}

export type LimitName = 'fileBytes' | 'totalBytes' | 'files' | 'uploads' | 'diskFree' | 'jsonBytes';

export function resolveUploadLimits(limits: Partial<UploadLimits> = {}): UploadLimits {
  return {
    maxFileBytes: limits.maxFileBytes ?? wireLimits.maxUploadFileBytes,
    maxTotalBytes: limits.maxTotalBytes ?? wireLimits.maxUploadTotalBytes,
    maxFiles: limits.maxFiles ?? wireLimits.maxUploadFiles,
    maxUploads: limits.maxUploads ?? wireLimits.maxUploadSessions,
    minFreeDiskBytes: limits.minFreeDiskBytes ?? wireLimits.minFreeDiskBytes,
    abandonedAfterMs: limits.abandonedAfterMs ?? 10 * 60 * 1000,
  };
}

/** A refusal because a cap was reached; `details.limit` says which (the transport picks the HTTP status). */
export function limitError(limit: LimitName, max: number, message: string): ApiError {
  return new ApiError({ code: 'LIMIT', message, details: { limit, max } });
}

/** The HTTP status a cap's refusal travels with. */
export function limitStatus(limit: unknown): number {
  if (limit === 'uploads') return 429;
  if (limit === 'diskFree') return 507;
  return 413;
}

export async function freeDiskBytes(path: string): Promise<number> {
  const fs = await statfs(path);
  return fs.bavail * fs.bsize;
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

export interface ByteBudget {
  /** Takes `bytes` for a file about to arrive, or throws LIMIT; nothing is taken on refusal. */
  reserve(bytes: number): void;
  /** The file arrived with `actual` (≤ reserved) bytes: the rest goes back; the file's bytes stay held. */
  commit(reserved: number, actual: number): void;
  /** The file was refused or abandoned: its whole reservation goes back. */
  cancel(reserved: number): void;
  /** Stored files were deleted: their bytes go back. */
  forget(stored: number): void;
  /** Bytes reserved by files still arriving (not on disk yet), for the free-space check. */
  arriving(): number;
  /** What is still free to reserve. */
  available(): number;
}

export function createByteBudget(maxTotalBytes: number): ByteBudget {
  let held = 0;
  let arriving = 0;
  return {
    reserve(bytes) {
      if (held + bytes > maxTotalBytes) {
        throw limitError(
          'totalBytes',
          maxTotalBytes,
          `uploads may hold at most ${mib(maxTotalBytes)} at once; ${mib(held)} are taken`,
        );
      }
      held += bytes;
      arriving += bytes;
    },
    commit(reserved, actual) {
      held -= reserved - actual;
      arriving -= reserved;
    },
    cancel(reserved) {
      held -= reserved;
      arriving -= reserved;
    },
    forget(stored) {
      held -= stored;
    },
    arriving: () => arriving,
    available: () => maxTotalBytes - held,
  };
}

/** Refuses when writing `bytes` more (plus what is already arriving) would leave less than the margin. */
export async function checkDiskMargin(
  root: string,
  bytes: number,
  limits: UploadLimits,
  free: (path: string) => Promise<number> = freeDiskBytes,
): Promise<void> {
  const available = await free(root);
  if (available - bytes < limits.minFreeDiskBytes) {
    throw limitError(
      'diskFree',
      limits.minFreeDiskBytes,
      `not enough free disk space: ${mib(available)} free, and uploads keep at least ` +
        `${mib(limits.minFreeDiskBytes)} free`,
    );
  }
}

export { mib as formatMiB };
