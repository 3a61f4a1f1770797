// The API over one WebSocket per page (wire.ts): requests answered through `dispatch`, every event of
// the contract pushed to every open socket. Authentication happens before the upgrade (routes.ts).
// A page that stops reading (frozen tab, stalled network) is dropped once its unsent backlog passes a
// cap, rather than buffered for without end; the page's client reconnects and reloads its state.
import { WebSocketServer, type WebSocket } from 'ws';
import { eventNames } from '../../shared/api';
import { toErrorData } from '../../shared/errors';
import { parseClientMessage, wireLimits, type ServerMessage } from '../../shared/wire';
import type { ServedApi } from './types';

export interface SocketHub {
  wss: WebSocketServer;
  /** Closes every socket and stops listening to the services' events. */
  close(): Promise<void>;
}

const HEARTBEAT_MS = 30_000;
/** Default cap on what one socket may have waiting to be sent. */
export const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export interface SocketHubOptions {
  /** Unsent bytes one socket may have queued before it is dropped as not draining. */
  maxBufferedBytes?: number;
}

export function createSocketHub(api: ServedApi, options: SocketHubOptions = {}): SocketHub {
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;

  /** Sends, unless the socket is not draining: then it is dropped (a close frame could not get through). */
  function sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount + text.length > maxBuffered) {
      ws.terminate();
      return;
    }
    ws.send(text);
  }
  const send = (ws: WebSocket, message: ServerMessage) => sendText(ws, JSON.stringify(message));

  const wss = new WebSocketServer({ noServer: true, maxPayload: wireLimits.maxJsonBytes });
  const alive = new WeakSet<WebSocket>();

  const unsubscribes = eventNames.map((event) =>
    api.subscribe(event, (data) => {
      const text = JSON.stringify({ type: 'event', event, data });
      for (const ws of wss.clients) sendText(ws, text);
    }),
  );

  wss.on('connection', (ws) => {
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        send(ws, {
          type: 'protocolError',
          error: { code: 'VALIDATION', message: 'messages must be JSON text' },
        });
        return;
      }
      const parsed = parseClientMessage(data.toString());
      if (!parsed.ok) {
        if (parsed.id === null) send(ws, { type: 'protocolError', error: parsed.error });
        else send(ws, { type: 'response', id: parsed.id, result: { ok: false, error: parsed.error } });
        return;
      }
      const { id, name, payload } = parsed.message;
      api.dispatch(name, payload).then(
        (result) => send(ws, { type: 'response', id, result }),
        (err: unknown) => send(ws, { type: 'response', id, result: { ok: false, error: toErrorData(err) } }),
      );
    });
  });

  // Drops sockets whose page vanished without a close (sleep, crash), so they stop receiving events.
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    wss,
    async close() {
      clearInterval(heartbeat);
      for (const off of unsubscribes) off();
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
