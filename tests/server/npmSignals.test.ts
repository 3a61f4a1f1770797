// `npm run serve` and `npx prunelab serve` as people (and process managers) stop them: a SIGTERM or
// SIGINT sent to the npm process itself — which npm forwards only to the shell it started — must stop
// the server cleanly: port closed, no PruneLab process left behind, the database closed (no WAL file).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest } from './http';

const root = join(import.meta.dirname, '..', '..');

let dir: string;
const started: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunelab-npmsig-'));
});
afterEach(() => {
  // Whatever the outcome, leave no server of this test running.
  for (const pid of serveProcesses()) if (started.length > 0) killQuietly(pid);
  started.length = 0;
  rmSync(dir, { recursive: true, force: true });
});

function killQuietly(pid: number) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** PruneLab processes serving this test's data directory (found by their command line). */
function serveProcesses(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes('prunelab') && line.includes(dir) && !line.includes(' ps '))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}

async function stopsCleanly(command: string, args: string[], signal: NodeJS.Signals) {
  const npm = spawn(command, [...args, '--api-only', '--port', '0', '--no-open', '--data-dir', dir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No PRUNELAB_HOME: the options must reach PruneLab through npm (`npm run serve -- …`).
    env: { ...process.env, PRUNELAB_HOME: '' },
  });
  started.push(npm.pid!);
  let stdout = '';
  let stderr = '';
  npm.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const npmExit = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
  const url = await new Promise<URL>((resolve, reject) => {
    npm.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const match = /PruneLab is serving at (\S+)/.exec(stdout);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    void npmExit.then(() => reject(new Error(`${command} exited early: ${stderr}`)));
  });
  const port = Number(url.port);
  const token = url.searchParams.get('token') ?? '';
  const info = await rawRequest(port, {
    method: 'POST',
    path: '/api/request/system.info',
    headers: { 'x-prunelab-token': token },
    body: '{}',
  });
  expect(info.json()).toMatchObject({ ok: true, value: { dataDir: dir } });
  expect(serveProcesses().length).toBeGreaterThan(0);

  npm.kill(signal); // to the npm process only, as a process manager would
  await npmExit;
  // Within a few seconds: no PruneLab process of this data directory is left, and the port is closed.
  await expect.poll(() => serveProcesses(), { timeout: 15_000, interval: 200 }).toEqual([]);
  await expect(
    rawRequest(port, { method: 'POST', path: '/api/request/system.info', body: '{}' }),
  ).rejects.toThrow(/ECONNREFUSED/);
  // It stopped through its shutdown path (services closed), not by being killed.
  expect(stderr).toContain('stopping');
  expect(existsSync(join(dir, 'prunelab.db'))).toBe(true);
  expect(existsSync(join(dir, 'prunelab.db-wal'))).toBe(false);
}

describe('serve stops cleanly when npm is signalled', () => {
  it('npm run serve, SIGTERM to npm', () =>
    stopsCleanly('npm', ['run', '--silent', 'serve', '--'], 'SIGTERM'));
  it('npm run serve, SIGINT to npm', () => stopsCleanly('npm', ['run', '--silent', 'serve', '--'], 'SIGINT'));
  it('npx prunelab serve, SIGTERM to npx', () => stopsCleanly('npx', ['prunelab', 'serve'], 'SIGTERM'));
});
