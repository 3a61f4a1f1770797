// Serve mode's transport: the contract over one WebSocket (wire.ts), plus HTTP for folder uploads.
import { createWireBridge, tokenHeader, tokenQueryParam, wirePaths } from '../../shared/wire';
import type { ImportOptionsWithoutPath } from '../../shared/wire';
import type { Bridge } from '../../shared/api';
import type { Result } from '../../shared/errors';
import { ApiError } from '../../shared/errors';
import type { FolderFile, UploadProgress } from './client';

export interface SocketBridge {
  bridge: Bridge;
  /**
   * Calls `listener` each time the socket opens again after a drop: events pushed while it was down are
   * lost, so whoever keeps state from events should reload it. Returns the unsubscribe function.
   */
  onReconnect(listener: () => void): () => void;
  close(): void;
}

/**
 * Opens the socket lazily and keeps it open: requests sent while connecting are queued; when the socket
 * drops, pending requests fail with a clear error and the next request reconnects.
 */
export function createWebSocketBridge(origin: string, token: string): SocketBridge {
  const url = `${origin.replace(/^http/, 'ws')}${wirePaths.socket}?${tokenQueryParam}=${encodeURIComponent(token)}`;
  let socket: WebSocket | null = null;
  let queue: string[] = [];
  let closedByUs = false;
  let openedBefore = false;
  const reconnectListeners = new Set<() => void>();

  const wire = createWireBridge((text) => {
    const ws = connect();
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
    else queue.push(text);
  });

  function connect(): WebSocket {
    if (socket && (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING))
      return socket;
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      for (const text of queue) ws.send(text);
      queue = [];
      if (openedBefore) for (const listener of [...reconnectListeners]) listener();
      openedBefore = true;
    });
    ws.addEventListener('message', (e) => {
      if (typeof e.data === 'string') wire.receive(e.data);
    });
    ws.addEventListener('close', (e) => {
      queue = [];
      wire.failPending({
        code: e.code === 1008 || e.code === 4401 ? 'FORBIDDEN' : 'INTERNAL',
        message: closedByUs
          ? 'the connection was closed'
          : `lost the connection to the PruneLab server (${e.code}${e.reason ? `: ${e.reason}` : ''}); is \`prunelab serve\` still running?`,
      });
      // Keep events flowing after a server restart: reconnect once in a while while the page lives.
      if (!closedByUs) setTimeout(() => connect(), 2000);
    });
    return ws;
  }

  connect();
  return {
    bridge: wire.bridge,
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => {
        reconnectListeners.delete(listener);
      };
    },
    close() {
      closedByUs = true;
      socket?.close();
    },
  };
}

async function httpJson<T>(
  origin: string,
  token: string,
  method: string,
  path: string,
  body?: BodyInit,
  signal?: AbortSignal,
): Promise<T> {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: {
      [tokenHeader]: token,
      ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
    },
    body,
    signal,
  });
  let result: Result<T>;
  try {
    result = (await response.json()) as Result<T>;
  } catch {
    throw new ApiError({
      code: 'INTERNAL',
      message: `the server answered ${response.status} without a JSON body`,
    });
  }
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}

/** Uploads a dropped folder file by file (wire.ts uploads), then asks the server to import it. */
export function createFolderUploader(origin: string, token: string) {
  return async (
    files: FolderFile[],
    options: ImportOptionsWithoutPath,
    onProgress?: (p: UploadProgress) => void,
    signal?: AbortSignal,
  ): Promise<{ jobId: string }> => {
    const { uploadId } = await httpJson<{ uploadId: string }>(
      origin,
      token,
      'POST',
      wirePaths.uploads,
      undefined,
      signal,
    );
    try {
      let sent = 0;
      for (const f of files) {
        await httpJson(origin, token, 'PUT', wirePaths.uploadFile(uploadId, f.relativePath), f.file, signal);
        sent += 1;
        onProgress?.({ sentFiles: sent, totalFiles: files.length });
      }
      return await httpJson<{ jobId: string }>(
        origin,
        token,
        'POST',
        wirePaths.uploadImport(uploadId),
        JSON.stringify(options),
        signal,
      );
    } catch (err) {
      // Leave nothing half-uploaded behind on the server.
      await httpJson(origin, token, 'DELETE', wirePaths.upload(uploadId)).catch(() => undefined);
      throw err;
    }
  };
}
