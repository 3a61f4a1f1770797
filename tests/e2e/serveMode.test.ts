// `npm run serve` as a user meets it: the command builds the UI if needed, prints a URL, and that URL
// opens the app in Debian's Chromium; without the token the page is refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const chromiumPath = '/usr/bin/chromium';

let dir: string;
let child: ChildProcess;
let url: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install chromium`);
  dir = await mkdtemp(join(tmpdir(), 'prunelab-e2e-serve-'));
  child = spawn(
    process.execPath,
    [join(root, 'bin', 'prunelab.js'), 'serve', '--port', '0', '--no-open', '--data-dir', dir],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      const match = /PruneLab is serving at (\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
  });
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('npm run serve in Chromium', () => {
  it('opens the app at the printed URL, talking to the server over the socket', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url);
    await expect(page.title()).resolves.toBe('PruneLab');
    // The mode and version come from system.info, answered through the WebSocket.
    await page.getByText('serve mode').first().waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses the page without the token', async () => {
    const page = await browser.newPage();
    const response = await page.goto(url.replace(/\?token=.*/, ''));
    expect(response?.status()).toBe(401);
    await expect(page.textContent('body')).resolves.toContain('?token=');
    await page.close();
  });
});
