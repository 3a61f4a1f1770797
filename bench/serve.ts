// bench:serve — the cost of the serve-mode transport on the real services: round trips per second for
// one small request (jobs.list) over the WebSocket and over HTTP, side by side with calling `dispatch`
// directly, plus how fast hostile payloads are refused. Ends with one JSON line of figures.
// `npm run bench:serve` (QUICK=1 for a short run).
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createAppServices } from '../src/main/services';
import { startServer } from '../src/main/server/startServer';

const quick = process.env.QUICK === '1';
const rounds = quick ? 300 : 3000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function timed(count: number, once: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await once(i);
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: Math.round(count / seconds),
    p50Ms: Number(percentile(latencies, 0.5).toFixed(3)),
    p99Ms: Number(percentile(latencies, 0.99).toFixed(3)),
  };
}

const dir = await mkdtemp(join(tmpdir(), 'prunelab-bench-serve-'));
const services = await createAppServices({ dataDir: dir, mode: 'serve' });
const token = 'bench-token-0123456789abcdefghij';
const server = await startServer({ api: services, dataDir: dir, rendererDir: null, token });
try {
  const direct = await timed(rounds, () => services.dispatch('jobs.list', {}));

  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?token=${token}`);
  await new Promise((resolve) => ws.once('open', resolve));
  const waiting = new Map<number, () => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { id: number };
    waiting.get(message.id)?.();
    waiting.delete(message.id);
  });
  const socket = await timed(
    rounds,
    (i) =>
      new Promise<void>((resolve) => {
        waiting.set(i, resolve);
        ws.send(JSON.stringify({ type: 'request', id: i, name: 'jobs.list', payload: {} }));
      }),
  );
  const hostileStart = performance.now();
  await new Promise<void>((resolve) => {
    let answered = 0;
    ws.removeAllListeners('message');
    ws.on('message', () => {
      if (++answered === rounds) resolve();
    });
    for (let i = 0; i < rounds; i++) {
      ws.send(
        `{"type":"request","id":${i},"name":"datasets.import","payload":{"path":"../../etc/passwd","__proto__":{"x":1}}}`,
      );
    }
  });
  const hostilePerSecond = Math.round(rounds / ((performance.now() - hostileStart) / 1000));
  ws.close();

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const http = await timed(
    rounds,
    () =>
      new Promise<void>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: server.port,
            method: 'POST',
            path: '/api/request/jobs.list',
            agent,
            headers: { 'x-prunelab-token': token, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve());
          },
        );
        req.on('error', reject);
        req.end('{}');
      }),
  );
  agent.destroy();
  const figures = { rounds, direct, socket, http, hostileRefusedPerSecond: hostilePerSecond };
  console.log(JSON.stringify(figures));
} finally {
  await server.close();
  await services.close();
  await rm(dir, { recursive: true, force: true });
}
