// Raw HTTP and WebSocket helpers for server tests: full control over Host, Origin and the path.
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a socket; resolves with it when open, or with the HTTP status that refused the upgrade. */
export function openSocket(
  port: number,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; refused: null } | { ws: null; refused: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws${query}`, { headers });
    ws.on('open', () => resolve({ ws, refused: null }));
    ws.on('unexpected-response', (_req, res) => {
      resolve({ ws: null, refused: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('error', () => resolve({ ws: null, refused: -1 }));
  });
}

/** Sends text messages and collects the next `count` parsed messages. */
export function exchange(ws: WebSocket, texts: string[], count: number): Promise<unknown[]> {
  return new Promise((resolve) => {
    const got: unknown[] = [];
    const onMessage = (data: WebSocket.RawData) => {
      got.push(JSON.parse(data.toString()));
      if (got.length === count) {
        ws.off('message', onMessage);
        resolve(got);
      }
    };
    ws.on('message', onMessage);
    for (const t of texts) ws.send(t);
  });
}

export interface SocketAnswer {
  id: number;
  result: { ok: boolean; error?: { code: string } };
}

/** Sends every case as a socket request (id = its index, payload as given) and collects the answers. */
export async function requestEach(
  ws: WebSocket,
  cases: { name: string; payloadJson: string }[],
): Promise<SocketAnswer[]> {
  const texts = cases.map(
    (c, i) => `{"type":"request","id":${i},"name":${JSON.stringify(c.name)},"payload":${c.payloadJson}}`,
  );
  return (await exchange(ws, texts, texts.length)) as SocketAnswer[];
}
