// Two processes on one data directory (the app and the CLI): a writer waits out the other's transaction
// thanks to the busy timeout instead of failing, and two first opens of a new file migrate it once.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestVersion, openStore } from '../../src/main/store';
import { sampleDataset } from './fixtures';

const holdLock = join(import.meta.dirname, 'helpers', 'holdLock.ts');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunelab-multi-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Forks the lock holder; resolves on "locked" with a promise for its exit. */
function startHolder(dbPath: string, holdMs: number): Promise<{ exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = fork(holdLock, [dbPath, String(holdMs)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    child.on('error', reject);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve({ exited });
    });
    void exited.then((code) => reject(new Error(`holder exited early (${code})`)));
  });
}

describe('two processes on one database', () => {
  it("a write waits for the other process's transaction, then succeeds; both writes are kept", async () => {
    const dbPath = join(dir, 'prunelab.db');
    openStore(dbPath).close();
    const holder = await startHolder(dbPath, 400);
    const store = openStore(dbPath); // default busy timeout: 5 s
    try {
      const t0 = Date.now();
      store.datasets.save(sampleDataset()); // blocks until the holder commits
      expect(Date.now() - t0).toBeGreaterThan(100);
      expect(await holder.exited).toBe(0);
      expect(store.settings.get().theme).toBe('light');
      expect(store.datasets.get('ds-1')?.name).toBe('Shapes');
    } finally {
      store.close();
    }
  });

  it('a new file opened by two processes at once is migrated exactly once', async () => {
    const dbPath = join(dir, 'fresh.db');
    const [a, b] = await Promise.all([startHolder(dbPath, 50), startHolder(dbPath, 50)]);
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    const store = openStore(dbPath);
    expect(store.db.pragma('user_version', { simple: true })).toBe(latestVersion);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    store.close();
  });
});
