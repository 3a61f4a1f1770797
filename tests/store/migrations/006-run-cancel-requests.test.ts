// Migration 6: runs gain cancel_requested_at, empty for every existing run; the repository sets it, reads
// it back for a set of runs, and clears it when a run is queued again.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, readUserVersion } from '../../../src/main/store/migrations';
import { memoryStore, sampleDataset, trainConfig } from '../fixtures';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, 5);
  db.prepare(
    `INSERT INTO datasets (id, name, source_path, kind, created_at, imported, skipped, height, width, channels,
       resize_mode, classes_json, channel_mix_json, size_stats_json, split_json, warnings_json, problems_json)
     VALUES ('d', 'n', '/p', 'folder', 't', 1, 0, 28, 28, 1, 'crop', '[]', '{}', '{}', '{}', '[]', '[]')`,
  ).run();
  db.prepare(
    `INSERT INTO runs (id, name, kind, status, dataset_id, config_json, seed, created_at)
     VALUES ('old', 'old', 'train', 'running', 'd', '{}', 1, 't')`,
  ).run();
});
afterEach(() => db.close());

describe('migration 006-run-cancel-requests', () => {
  it('moves user_version from 5 to 6 and asks no existing run to stop', () => {
    expect(migrate(db, 6)).toBe(6);
    expect(readUserVersion(db)).toBe(6);
    expect(db.prepare('SELECT cancel_requested_at FROM runs').get()).toEqual({ cancel_requested_at: null });
  });

  it('is what requestCancel / cancelRequested use; queueing the run again clears the request', () => {
    const store = memoryStore();
    try {
      store.datasets.save(sampleDataset());
      const a = store.runs.create({ name: 'a', kind: 'train', config: trainConfig() });
      const b = store.runs.create({ name: 'b', kind: 'train', config: trainConfig() });
      expect(store.runs.cancelRequested([a.id, b.id])).toEqual([]);
      store.runs.requestCancel(b.id);
      expect(store.runs.cancelRequested([a.id, b.id])).toEqual([b.id]);
      expect(store.runs.cancelRequested([])).toEqual([]);
      store.runs.setStatus(b.id, 'cancelled');
      store.runs.setStatus(b.id, 'queued');
      expect(store.runs.cancelRequested([b.id])).toEqual([]);
      expect(() => store.runs.requestCancel('ghost')).toThrow(/no run with id ghost/);
    } finally {
      store.close();
    }
  });
});
