// `prunelab serve` opening the browser must not put the token on a command line (any local user can read
// command lines in `ps`): the browser is given a launch file instead — private (0600, in a 0700 folder
// of its own), holding the tokened URL, and deleted once the page has been opened with it.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServe, type ServeSession } from '../../src/main/server/serveMain';
import { createFakeApi } from './fakeApi';
import { rawRequest } from './http';

let dir: string;
let session: ServeSession | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prunelab-launch-test-'));
});
afterEach(async () => {
  await session?.close();
  session = null;
  await rm(dir, { recursive: true, force: true });
});

async function serveAndOpen(): Promise<{ opened: string[]; session: ServeSession }> {
  const opened: string[] = [];
  const services = { ...createFakeApi(), close: async () => undefined };
  session = await startServe({
    dataDir: join(dir, 'data'),
    apiOnly: true,
    port: 0,
    open: true,
    openBrowser: (target) => opened.push(target),
    launchDir: dir,
    createServices: async () => services,
  });
  return { opened, session };
}

describe('opening the browser without the token on its command line', () => {
  it('hands the browser a private launch file, not the tokened URL', async () => {
    const { opened, session: s } = await serveAndOpen();
    expect(opened).toHaveLength(1);
    const [target] = opened as [string];
    // What reaches the browser's command line carries no token.
    expect(target).not.toContain(s.server.token);
    expect(target.startsWith('file://')).toBe(true);
    const file = fileURLToPath(target);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(file))).mode & 0o777).toBe(0o700);
    expect(dirname(dirname(file))).toBe(dir);
    // The file itself sends the browser on to the tokened URL.
    const html = await readFile(file, 'utf8');
    expect(html).toContain(`http-equiv="refresh"`);
    expect(html).toContain(s.server.url.replace(/&/g, '&amp;'));
  });

  it('deletes the launch file (and its folder) once the page was opened with the token', async () => {
    const { opened, session: s } = await serveAndOpen();
    const file = fileURLToPath(opened[0]!);
    expect(existsSync(file)).toBe(true);
    // A request without the token does not count as the launch.
    await rawRequest(s.server.port, { path: '/' });
    expect(existsSync(file)).toBe(true);
    await rawRequest(s.server.port, { path: `/?token=${s.server.token}` });
    await expect.poll(() => existsSync(dirname(file))).toBe(false);
  });

  it('deletes an unused launch file when the server stops', async () => {
    const { opened, session: s } = await serveAndOpen();
    const file = fileURLToPath(opened[0]!);
    await s.close();
    session = null;
    expect(existsSync(dirname(file))).toBe(false);
  });
});
