// The serve-mode wire protocol: how the API contract travels over HTTP and a WebSocket between the
// browser renderer and `prunelab serve`. Pure types and small helpers, shared by both ends so the
// message shapes are written once (the server in src/main/server, the client in src/renderer).
//
// WebSocket  ws://<host>/api/ws?token=<token>
//   client → server  { type: 'request', id, name, payload }
//   server → client  { type: 'response', id, result: Result }     one per request, errors as data
//                    { type: 'event', event, data }               every event of the contract, pushed
//                    { type: 'protocolError', error }             a message that had no usable id
// HTTP (every /api/* call carries the token in the `x-prunelab-token` header, `Authorization: Bearer`,
// or `?token=`; answers are JSON envelopes with status 200 unless the transport itself refused):
//   POST /api/request/<name>            body: payload JSON            → Result
//   POST /api/uploads                    (no body)                     → Result<{ uploadId }>
//   PUT  /api/uploads/<uploadId>?path=<relative path>  body: file bytes → Result<{ path, bytes }>
//   POST /api/uploads/<uploadId>/import  body: import options w/o path → Result<{ jobId }>
//   DELETE /api/uploads/<uploadId>                                     → Result<{ deleted: true }>
//   GET  /api/exports/<artifactId>/zip   (token usually as ?token=, it is a plain link) → the export as a
//        zip attachment, built from PruneLab's own export folder after checking every file's sha256; a
//        Result body with status 404/409/400 when it cannot be served
// Refusals: 401 (no/wrong token; a socket is not upgraded), 403 (foreign Host or Origin),
// 404 (unknown route), 400 (body is not JSON). A cap (error code LIMIT, details.limit naming it) answers
// 413 (body, file or upload budget too large — at once, before a 100-continue), 429 (too many upload
// sessions) or 507 (the disk would drop under its free margin). All carry a Result body.
import type { Bridge, EventName, Events, PayloadIn, RequestName } from './api';
import { requestNames } from './api';
import type { ApiErrorData, Result } from './errors';

export const wirePaths = {
  socket: '/api/ws',
  request: (name: RequestName) => `/api/request/${name}`,
  uploads: '/api/uploads',
  uploadFile: (uploadId: string, relativePath: string) =>
    `/api/uploads/${encodeURIComponent(uploadId)}?path=${encodeURIComponent(relativePath)}`,
  uploadImport: (uploadId: string) => `/api/uploads/${encodeURIComponent(uploadId)}/import`,
  upload: (uploadId: string) => `/api/uploads/${encodeURIComponent(uploadId)}`,
  exports: '/api/exports',
  exportZip: (artifactId: string) => `/api/exports/${encodeURIComponent(artifactId)}/zip`,
} as const;

/** Where the token travels: the page URL and socket URL query, or this header on HTTP calls. */
export const tokenQueryParam = 'token';
export const tokenHeader = 'x-prunelab-token';

export const wireLimits = {
  /** Largest request body or socket message carrying a JSON payload. */
  maxJsonBytes: 1024 * 1024,
  /** Largest single uploaded file. */
  maxUploadFileBytes: 64 * 1024 * 1024,
  /** Largest total held by all uploads of a server together (a dropped folder arriving, or several). */
  maxUploadTotalBytes: 2 * 1024 * 1024 * 1024,
  /** Most files in one upload. */
  maxUploadFiles: 200_000,
  /** Most upload sessions open at once. */
  maxUploadSessions: 16,
  /** An uploaded file is refused when the disk's free space would drop under this. */
  minFreeDiskBytes: 512 * 1024 * 1024,
  maxRelativePathLength: 1024,
  maxPathDepth: 32,
} as const;

export type ImportOptionsWithoutPath = Omit<PayloadIn<'datasets.import'>, 'path'>;

export interface RequestMessage {
  type: 'request';
  id: number;
  name: RequestName;
  payload: unknown;
}

export interface ResponseMessage {
  type: 'response';
  id: number;
  result: Result<unknown>;
}

export type EventMessage = { [E in EventName]: { type: 'event'; event: E; data: Events[E] } }[EventName];

/** The answer to a message that could not be read as a request at all (not JSON, no integer id). */
export interface ProtocolErrorMessage {
  type: 'protocolError';
  error: ApiErrorData;
}

export type ClientMessage = RequestMessage;
export type ServerMessage = ResponseMessage | EventMessage | ProtocolErrorMessage;

const knownRequests: ReadonlySet<string> = new Set(requestNames);

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && knownRequests.has(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses one client message. A message whose id is usable but whose name is unknown still parses to a
 * request (the services answer it with VALIDATION), so the client gets an answer for every id it sent.
 */
export function parseClientMessage(
  text: string,
): { ok: true; message: RequestMessage } | { ok: false; id: number | null; error: ApiErrorData } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: { code: 'VALIDATION', message: 'message is not JSON' } };
  }
  if (!isRecord(raw))
    return { ok: false, id: null, error: { code: 'VALIDATION', message: 'message is not an object' } };
  const id = typeof raw.id === 'number' && Number.isSafeInteger(raw.id) ? raw.id : null;
  if (raw.type !== 'request' || id === null) {
    return {
      ok: false,
      id,
      error: { code: 'VALIDATION', message: 'expected { type: "request", id: integer, name, payload }' },
    };
  }
  if (typeof raw.name !== 'string' || raw.name.length > 100) {
    return { ok: false, id, error: { code: 'VALIDATION', message: 'request name must be a short string' } };
  }
  return { ok: true, message: { type: 'request', id, name: raw.name as RequestName, payload: raw.payload } };
}

/** Parses one server message; returns null for anything that is not a response or a known event. */
export function parseServerMessage(text: string): ServerMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(raw)) return null;
  if (raw.type === 'response' && typeof raw.id === 'number' && isRecord(raw.result)) {
    return raw as unknown as ResponseMessage;
  }
  if (raw.type === 'event' && typeof raw.event === 'string') return raw as unknown as EventMessage;
  if (raw.type === 'protocolError' && isRecord(raw.error)) return raw as unknown as ProtocolErrorMessage;
  return null;
}

/**
 * Checks a relative path of an uploaded file (as the browser reports it for a dropped folder) and
 * returns it normalised to forward slashes. Refuses absolute paths, drive letters, `..` and `.`
 * segments, NUL and other control characters, empty segments, and overlong or overdeep paths.
 */
export function checkUploadPath(raw: unknown): { ok: true; path: string } | { ok: false; reason: string } {
  if (typeof raw !== 'string' || raw.length === 0) return { ok: false, reason: 'path is empty' };
  if (raw.length > wireLimits.maxRelativePathLength) return { ok: false, reason: 'path is too long' };
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, reason: 'path contains a control character' };
  if (/^[\\/]/.test(raw) || /^[A-Za-z]:/.test(raw)) return { ok: false, reason: 'path must be relative' };
  const segments = raw.split(/[\\/]/);
  if (segments.length > wireLimits.maxPathDepth) return { ok: false, reason: 'path is too deep' };
  for (const segment of segments) {
    if (segment === '') return { ok: false, reason: 'path has an empty segment' };
    if (segment === '.' || segment === '..')
      return { ok: false, reason: 'path must not contain "." or ".." segments' };
    if (segment.length > 255) return { ok: false, reason: 'a path segment is too long' };
    if (/[:*?"<>|]/.test(segment))
      return { ok: false, reason: 'path contains a character not allowed in file names' };
  }
  return { ok: true, path: segments.join('/') };
}

/** An upload id as the server issues it. */
export function isUploadId(value: string): boolean {
  return /^[a-f0-9]{32}$/.test(value);
}

/**
 * The browser side of the socket protocol, independent of any WebSocket implementation: give it a
 * `send`, feed it every incoming text with `receive`, and it is a Bridge. `failPending` answers every
 * outstanding request (e.g. when the socket closes) so no caller waits forever.
 */
export function createWireBridge(send: (text: string) => void): {
  bridge: Bridge;
  receive(text: string): void;
  failPending(error: ApiErrorData): void;
} {
  let nextId = 1;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<EventName, Set<(data: never) => void>>();

  const call = (name: RequestName, payload: unknown): Promise<Result<unknown>> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      const message: RequestMessage = { type: 'request', id, name, payload };
      try {
        send(JSON.stringify(message));
      } catch (err) {
        pending.delete(id);
        resolve({ ok: false, error: { code: 'INTERNAL', message: `could not send: ${String(err)}` } });
      }
    });

  const requests = Object.fromEntries(
    requestNames.map((name) => [name, (payload: unknown) => call(name, payload)]),
  ) as unknown as Bridge['requests'];

  const on: Bridge['on'] = (event, listener) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const entry = listener as (data: never) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  };

  return {
    bridge: { requests, on },
    receive(text) {
      const message = parseServerMessage(text);
      if (!message) return;
      if (message.type === 'response') {
        const resolve = pending.get(message.id);
        pending.delete(message.id);
        resolve?.(message.result);
        return;
      }
      if (message.type === 'protocolError') return;
      for (const listener of listeners.get(message.event) ?? [])
        (listener as (data: unknown) => void)(message.data);
    },
    failPending(error) {
      for (const resolve of pending.values()) resolve({ ok: false, error });
      pending.clear();
    },
  };
}
