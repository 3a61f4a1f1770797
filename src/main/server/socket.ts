// The API over one WebSocket per page (wire.ts): requests answered through `dispatch`, every event of
// the contract pushed to every open socket. Authentication happens before the upgrade (routes.ts).
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

function send(ws: WebSocket, message: ServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

export function createSocketHub(api: ServedApi): SocketHub {
  const wss = new WebSocketServer({ noServer: true, maxPayload: wireLimits.maxJsonBytes });
  const alive = new WeakSet<WebSocket>();

  const unsubscribes = eventNames.map((event) =>
    api.subscribe(event, (data) => {
      const text = JSON.stringify({ type: 'event', event, data });
      for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
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
