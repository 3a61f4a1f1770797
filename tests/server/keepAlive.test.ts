// A pooled keep-alive connection must survive the serve process being busy. The engine runs in that
// process, and a long synchronous stretch (an evaluation, an export) holds its event loop. When it lets
// go, expired timers run before sockets are read: with Node's 5-second default, the idle-connection
// timer fired first and reset a connection that already held the page's next request (ECONNRESET in
// the e2e suite's last request, after an export). The server keeps idle connections far longer.
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useFakeApiServer } from './fakeApiServer';

const TOKEN = 'keep-alive-token-0123456789ab';
const served = useFakeApiServer('prunelab-keepalive-', TOKEN);

const request = (port: number) =>
  [
    'POST /api/request/system.info HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    `x-prunelab-token: ${TOKEN}`,
    'Content-Type: application/json',
    'Content-Length: 2',
    'Connection: keep-alive',
    '',
    '{}',
  ].join('\r\n');

/** Resolves with everything read until `count` responses have arrived, or rejects if the socket fails. */
function responses(socket: Socket, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if ((text.match(/^HTTP\/1\.1 /gm) ?? []).length >= count && /\r\n\r\n[^]*\}$/.test(text)) resolve(text);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`the server closed the connection after:\n${text}`)));
  });
}

function busyWait(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

describe('serve mode: keep-alive connections', () => {
  it('answers a request sent on an idle connection while the process was busy for 6 s', async () => {
    const { port } = served.server;
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const first = responses(socket, 1);
    socket.write(request(port));
    expect(await first).toMatch(/^HTTP\/1\.1 200/);
    socket.removeAllListeners('data').removeAllListeners('error').removeAllListeners('close');

    const second = responses(socket, 1);
    socket.write(request(port)); // in the kernel's buffer; the server reads it once the loop is free
    busyWait(6_000);
    const text = await second;
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text).toContain('"ok":true');
    socket.destroy();
  }, 30_000);
});
