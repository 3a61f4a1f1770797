// Migration 2 on an in-memory database: adds runs.metrics_json and backfills it from metric_summaries,
// per metric from the run's last phase (finetune over train), skipping nothing and inventing nothing.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, readUserVersion } from '../../../src/main/store/migrations';
import { decodeRunMetrics } from '../../../src/main/store/repositories/metrics';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, 1);
  db.prepare(
    `INSERT INTO datasets (id, name, source_path, kind, created_at, imported, skipped, height, width, channels,
       resize_mode, classes_json, channel_mix_json, size_stats_json, split_json, warnings_json, problems_json)
     VALUES ('d', 'n', '/p', 'folder', 't', 1, 0, 28, 28, 1, 'crop', '[]', '{}', '{}', '{}', '[]', '[]')`,
  ).run();
  for (const id of ['pruned', 'empty', 'nan']) {
    db.prepare(
      `INSERT INTO runs (id, name, kind, status, dataset_id, config_json, seed, created_at)
       VALUES (?, ?, 'prune', 'done', 'd', '{}', 1, 't')`,
    ).run(id, id);
  }
  const summary = db.prepare(`INSERT INTO metric_summaries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // run, phase, split, name, lower, best, bestEpoch, final, finalEpoch, count
  summary.run('pruned', 'train', 'validation', 'accuracy', 0, 0.95, 9, 0.94, 10, 10);
  summary.run('pruned', 'finetune', 'validation', 'accuracy', 0, 0.9, 2, 0.88, 3, 3);
  summary.run('pruned', 'train', 'train', 'loss', 1, 0.1, 10, 0.1, 10, 10);
  summary.run('nan', 'train', 'train', 'loss', 1, null, null, null, 4, 4);
});
afterEach(() => db.close());

const metricsOf = (id: string) =>
  (db.prepare('SELECT metrics_json FROM runs WHERE id = ?').get(id) as { metrics_json: string }).metrics_json;

describe('migration 002-run-metrics-json', () => {
  it('moves user_version from 1 to 2', () => {
    expect(migrate(db, 2)).toBe(2);
    expect(readUserVersion(db)).toBe(2);
  });

  it('backfills best/final from the last phase of each metric', () => {
    migrate(db, 2);
    expect(decodeRunMetrics(metricsOf('pruned'), 'test')).toEqual({
      best: { 'validation.accuracy': { value: 0.9, epoch: 2 }, 'train.loss': { value: 0.1, epoch: 10 } },
      final: { 'validation.accuracy': 0.88, 'train.loss': 0.1 },
    });
  });

  it('gives runs without metrics an empty object and keeps all-NaN series as NaN finals without a best', () => {
    migrate(db, 2);
    expect(JSON.parse(metricsOf('empty'))).toEqual({ best: {}, final: {} });
    const nan = decodeRunMetrics(metricsOf('nan'), 'test');
    expect(nan.best).toEqual({});
    expect(Number.isNaN(nan.final['train.loss'])).toBe(true);
  });

  it('defaults the column for runs inserted after the migration', () => {
    migrate(db, 2);
    db.prepare(
      `INSERT INTO runs (id, name, kind, status, dataset_id, config_json, seed, created_at)
       VALUES ('later', 'later', 'train', 'queued', 'd', '{}', 1, 't')`,
    ).run();
    expect(JSON.parse(metricsOf('later'))).toEqual({ best: {}, final: {} });
  });
});
