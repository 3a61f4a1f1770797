// What the store refuses reaches services as typed error data: NOT_FOUND for a write naming a missing run
// or dataset, STORE when the database itself refuses (here: another connection holds the write lock).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/errors';
import { openStore, type Store } from '../../src/main/store';
import {
  memoryStore,
  sampleCurve,
  sampleEvaluation,
  samplePruneStep,
  sampleDataset,
  trainConfig,
} from './fixtures';

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('writes naming a missing row', () => {
  let store: Store;
  beforeEach(() => {
    store = memoryStore();
  });
  afterEach(() => store.close());

  it.each([
    [
      'metrics.append',
      (s: Store) =>
        s.metrics.append('ghost', {
          epoch: 1,
          phase: 'train',
          values: [{ split: 'train', name: 'loss', value: 1 }],
        }),
    ],
    ['pruneSteps.record', (s: Store) => s.pruneSteps.record('ghost', samplePruneStep())],
    ['evaluations.save', (s: Store) => s.evaluations.save('ghost', 'final', sampleEvaluation())],
    ['sensitivity.save', (s: Store) => s.sensitivity.save('ghost', sampleCurve('conv'))],
    [
      'artifacts.create',
      (s: Store) =>
        s.artifacts.create({
          runId: 'ghost',
          format: 'tfjs',
          encoding: null,
          path: '/p',
          zipPath: null,
          bytes: 1,
          gzipBytes: 1,
          sha256: 'x',
          sizes: null,
          parity: null,
        }),
    ],
    ['jobs.create', (s: Store) => s.jobs.create({ kind: 'train', runId: 'ghost', input: {} })],
  ])('%s for a missing run is NOT_FOUND', (_name, write) => {
    expect(thrown(() => write(store)).toData()).toEqual({
      code: 'NOT_FOUND',
      message: 'no run with id ghost',
      details: { id: 'ghost' },
    });
  });

  it('sweeps.create for a missing dataset is NOT_FOUND', () => {
    expect(thrown(() => store.sweeps.create({ name: 's', datasetId: 'nope', request: {} })).code).toBe(
      'NOT_FOUND',
    );
  });

  it('setters on a missing run are NOT_FOUND', () => {
    expect(thrown(() => store.runs.setModelDir('ghost', '/m')).code).toBe('NOT_FOUND');
    expect(thrown(() => store.runs.setBackend('ghost', { name: 'cpu', threads: 1, reason: 'r' })).code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('a database locked by another connection', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prunelab-busy-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('turns SQLITE_BUSY after the busy timeout into a STORE error and loses nothing', () => {
    const path = join(dir, 'prunelab.db');
    const store = openStore(path, { busyTimeoutMs: 50 });
    store.datasets.save(sampleDataset());
    const run = store.runs.create({ name: 'r', kind: 'train', config: trainConfig() });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const err = thrown(() => store.settings.update({ theme: 'dark' }));
      expect(err.code).toBe('STORE');
      expect(err.message).toMatch(/busy/);
      const inTx = thrown(() => store.transaction(() => store.runs.setStatus(run.id, 'running')));
      expect(inTx.code).toBe('STORE');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // Once the lock is gone the same writes go through.
    expect(store.settings.update({ theme: 'dark' }).theme).toBe('dark');
    expect(store.runs.setStatus(run.id, 'running').status).toBe('running');
    store.close();
  });
});
