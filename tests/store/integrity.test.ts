// Opening the store checks it (PRAGMA quick_check): a damaged file — even one whose first pages read fine,
// even one with a WAL left by a crash — is refused with a clear STORE error and left byte for byte.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/errors';
import { openStore } from '../../src/main/store';
import { runCli } from '../cli/helpers';
import { sampleDataset, trainConfig } from './fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunelab-integrity-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Every file of a folder with its sha256: equal = nothing written, created or removed. */
function files(folder: string): Record<string, string> {
  return Object.fromEntries(readdirSync(folder).map((name) => [name, sha(join(folder, name))]));
}

/** A store with a dataset, runs and enough metric rows to span many pages. */
function fillStore(path: string): void {
  const store = openStore(path);
  store.datasets.save(sampleDataset());
  for (let r = 0; r < 20; r++) {
    const { id } = store.runs.create({ name: `run ${r}`, kind: 'train', config: trainConfig() });
    for (let e = 1; e <= 30; e++)
      store.metrics.append(id, {
        epoch: e,
        phase: 'train',
        values: [
          { split: 'train', name: 'loss', value: 1 / e },
          { split: 'validation', name: 'accuracy', value: e / 31 },
        ],
      });
  }
  store.close();
}

/** Breaks the root page of the metrics table (its cell count) — pages the open itself never reads. */
function damageMetricsTable(path: string): void {
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const { rootpage } = db
    .prepare("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'metrics'")
    .get() as { rootpage: number };
  db.close();
  const bytes = readFileSync(path);
  const at = (rootpage - 1) * pageSize;
  bytes.writeUInt16BE(0x7fff, at + 3);
  writeFileSync(path, bytes);
}

function openError(path: string): ApiError {
  try {
    openStore(path).close();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('the damaged store opened');
}

describe('opening a damaged store', () => {
  it('is refused with a clear STORE error, and the file is left byte for byte', () => {
    const path = join(dir, 'prunelab.db');
    fillStore(path);
    damageMetricsTable(path);
    const before = files(dir);

    const err = openError(path);
    expect(err.code).toBe('STORE');
    expect(err.message).toMatch(/prunelab\.db is damaged \(.+\); PruneLab left it exactly as it was/);
    expect(err.message).toMatch(/Restore it from a backup, or move it away/);
    expect(files(dir)).toEqual(before);
  });

  it('with a WAL left by a crash: neither the file nor its WAL is changed', () => {
    const live = join(dir, 'live');
    const crashed = join(dir, 'crashed');
    mkdirSync(live);
    mkdirSync(crashed);
    fillStore(join(live, 'prunelab.db'));
    damageMetricsTable(join(live, 'prunelab.db'));
    // A writer holds the store open with committed rows still in its WAL; its files are copied as a crash
    // would leave them.
    const writer = new Database(join(live, 'prunelab.db'));
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("INSERT OR REPLACE INTO settings (key, value_json) VALUES ('theme', '\"dark\"')").run();
    for (const name of readdirSync(live)) copyFileSync(join(live, name), join(crashed, name));
    writer.close();
    expect(readdirSync(crashed).sort()).toEqual(['prunelab.db', 'prunelab.db-shm', 'prunelab.db-wal']);
    const before = files(crashed);

    const err = openError(join(crashed, 'prunelab.db'));
    expect(err.code).toBe('STORE');
    expect(err.message).toMatch(/is damaged/);
    // The -shm file is SQLite's index of the WAL, rebuilt by every reader; it holds no data of its own.
    const after = files(crashed);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(after['prunelab.db']).toBe(before['prunelab.db']);
    expect(after['prunelab.db-wal']).toBe(before['prunelab.db-wal']);
  });

  it('stops the command line with the error as data, before anything is written', async () => {
    const path = join(dir, 'prunelab.db');
    fillStore(path);
    damageMetricsTable(path);
    const before = files(dir);
    const run = await runCli(['export', '--run', 'r-1', '--json', '--data-dir', dir]);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({
      error: { code: 'STORE', message: expect.stringMatching(/is damaged/) },
    });
    expect(files(dir)).toEqual(before);
  });
});
