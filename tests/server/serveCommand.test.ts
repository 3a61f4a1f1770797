// `prunelab serve` as a user runs it: prints the URL with its token, answers with that token, and
// stops cleanly on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest } from './http';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'prunelab.js');

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prunelab-servecmd-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('prunelab serve', () => {
  it('prints a tokened URL on 127.0.0.1, serves the API behind it, and stops on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      [cli, 'serve', '--api-only', '--port', '0', '--no-open', '--data-dir', dir],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const match = /PruneLab is serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
    });
    const parsed = new URL(url);
    const token = parsed.searchParams.get('token') ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);
    const port = Number(parsed.port);
    const info = await rawRequest(port, {
      method: 'POST',
      path: '/api/request/system.info',
      headers: { 'x-prunelab-token': token },
      body: '{}',
    });
    expect(info.json()).toMatchObject({ ok: true, value: { mode: 'serve', dataDir: dir } });
    expect(
      (await rawRequest(port, { method: 'POST', path: '/api/request/system.info', body: '{}' })).status,
    ).toBe(401);

    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(stderr).toContain('stopping');
  });

  it('refuses a port that is not a number with a usage error', () => {
    const result = spawnSync(
      process.execPath,
      [cli, 'serve', '--port', 'eighty', '--data-dir', dir, '--json'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--port must be a number');
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({
      error: { code: 'USAGE' },
    });
  });
});
