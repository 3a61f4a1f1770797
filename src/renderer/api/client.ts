// The renderer's one way to reach the services: typed from the shared contract, failures as ApiError.
import type { Bridge, Envelope, PayloadIn, RequestName, ResultOf, Subscribe } from '../../shared/api';
import { ApiError } from '../../shared/errors';
import type { ImportOptionsWithoutPath } from '../../shared/wire';

export type TransportKind = 'ipc' | 'websocket';

/** A folder picked or dropped in the browser, as files with their paths relative to the folder's parent. */
export interface FolderFile {
  relativePath: string;
  file: Blob;
}

export interface UploadProgress {
  sentFiles: number;
  totalFiles: number;
}

export interface ApiClient {
  readonly transport: TransportKind;
  call<N extends RequestName>(name: N, payload: PayloadIn<N>): Promise<ResultOf<N>>;
  on: Subscribe;
  /**
   * Serve mode only: copies a dropped folder to the serving machine and imports it. Null where the
   * transport reaches local paths directly (Electron), so the UI imports by path instead.
   */
  uploadFolder:
    | ((
        files: FolderFile[],
        options: ImportOptionsWithoutPath,
        onProgress?: (p: UploadProgress) => void,
        signal?: AbortSignal,
      ) => Promise<{ jobId: string }>)
    | null;
  /**
   * Serve mode only: subscribes to "the connection came back after a drop" — events pushed meanwhile were
   * lost, so state kept from events should be reloaded. Null where the transport cannot drop (Electron IPC).
   */
  onReconnect: ((listener: () => void) => () => void) | null;
  /**
   * Serve mode only: the URL that downloads an export as a zip (the browser cannot open the server's
   * folders). Null in Electron, where the export is revealed in its folder instead.
   */
  exportDownloadUrl: ((artifactId: string) => string) | null;
}

/** Wraps a Bridge (envelopes, errors as data) into a client that resolves values and throws ApiError. */
export function createClient(
  bridge: Bridge,
  transport: TransportKind,
  uploadFolder: ApiClient['uploadFolder'] = null,
  onReconnect: ApiClient['onReconnect'] = null,
  exportDownloadUrl: ApiClient['exportDownloadUrl'] = null,
): ApiClient {
  return {
    transport,
    async call<N extends RequestName>(name: N, payload: PayloadIn<N>): Promise<ResultOf<N>> {
      const request = bridge.requests[name] as unknown as (p: PayloadIn<N>) => Promise<Envelope<N>>;
      const envelope = await request(payload);
      if (envelope.ok) return envelope.value as ResultOf<N>;
      throw new ApiError(envelope.error);
    },
    on: bridge.on,
    uploadFolder,
    onReconnect,
    exportDownloadUrl,
  };
}

/** A message for people: ApiError and Error messages as they are, anything else stringified. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
