// The one place that decides how the renderer reaches the services (DESIGN.md): Electron's preload
// bridge when present, otherwise serve mode's WebSocket with the token from the page URL.
import type { Bridge } from '../../shared/api';
import { tokenQueryParam, wirePaths } from '../../shared/wire';
import { createClient, type ApiClient } from './client';
import { createFolderUploader, createWebSocketBridge } from './websocketBridge';

declare global {
  interface Window {
    /** Set by preload in Electron (contextBridge); absent in a browser. */
    prunelab?: Bridge;
  }
}

export class MissingTokenError extends Error {
  constructor() {
    super(
      'This page needs the token printed by `prunelab serve` (open the full URL it prints, including ?token=…).',
    );
    this.name = 'MissingTokenError';
  }
}

export function pickClient(win: Window): ApiClient {
  if (win.prunelab) return createClient(win.prunelab, 'ipc');
  const token = new URL(win.location.href).searchParams.get(tokenQueryParam);
  if (!token) throw new MissingTokenError();
  const origin = win.location.origin;
  const socket = createWebSocketBridge(origin, token);
  // a plain link (the browser downloads it), so the token travels in the query like the socket's
  const exportDownloadUrl = (artifactId: string) =>
    `${origin}${wirePaths.exportZip(artifactId)}?${tokenQueryParam}=${encodeURIComponent(token)}`;
  return createClient(
    socket.bridge,
    'websocket',
    createFolderUploader(origin, token),
    socket.onReconnect,
    exportDownloadUrl,
  );
}
