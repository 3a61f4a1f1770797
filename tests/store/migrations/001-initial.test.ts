// Migration 1 on an in-memory database: the schema exists, is STRICT, enforces its CHECKs and foreign keys.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, readUserVersion } from '../../../src/main/store/migrations';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
});
afterEach(() => db.close());

const tables = [
  'artifacts',
  'datasets',
  'evaluations',
  'jobs',
  'metric_summaries',
  'metrics',
  'prune_layers',
  'prune_steps',
  'runs',
  'sensitivity_curves',
  'settings',
  'sweeps',
];

function insertDataset(id: string): void {
  db.prepare(
    `INSERT INTO datasets (id, name, source_path, kind, created_at, imported, skipped, height, width, channels,
       resize_mode, classes_json, channel_mix_json, size_stats_json, split_json, warnings_json, problems_json)
     VALUES (?, 'n', '/p', 'folder', 't', 1, 0, 28, 28, 1, 'crop', '[]', '{}', '{}', '{}', '[]', '[]')`,
  ).run(id);
}

function insertRun(
  id: string,
  datasetId: string,
  config: unknown = { prune: { criterion: 'taylor' } },
): void {
  db.prepare(
    `INSERT INTO runs (id, name, kind, status, dataset_id, config_json, seed, created_at)
     VALUES (?, 'r', 'prune', 'queued', ?, ?, 1, 't')`,
  ).run(id, datasetId, JSON.stringify(config));
}

describe('migration 001-initial', () => {
  it('moves user_version from 0 to 1 and creates every table as STRICT', () => {
    expect(readUserVersion(db)).toBe(0);
    expect(migrate(db, 1)).toBe(1);
    expect(readUserVersion(db)).toBe(1);
    const rows = db
      .prepare(
        `SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'`,
      )
      .all() as { name: string; strict: number }[];
    expect(rows.map((r) => r.name).sort()).toEqual(tables);
    expect(rows.every((r) => r.strict === 1)).toBe(true);
  });

  it('is applied once: migrating again changes nothing', () => {
    migrate(db, 1);
    insertDataset('d');
    expect(migrate(db, 1)).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM datasets').get()).toEqual({ n: 1 });
  });

  it('rejects values of the wrong type and out-of-vocabulary statuses', () => {
    migrate(db, 1);
    insertDataset('d');
    expect(() =>
      db
        .prepare(
          `INSERT INTO runs (id, name, kind, status, dataset_id, config_json, seed, created_at)
           VALUES ('r', 'r', 'train', 'queued', 'd', '{}', 'not a number', 't')`,
        )
        .run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO runs (id, name, kind, status, dataset_id, config_json, seed, created_at)
           VALUES ('r', 'r', 'train', 'paused', 'd', '{}', 1, 't')`,
        )
        .run(),
    ).toThrow(/CHECK constraint failed/);
  });

  it('derives the criterion column from the prune or sensitivity config', () => {
    migrate(db, 1);
    insertDataset('d');
    insertRun('a', 'd', { prune: { criterion: 'magnitude' } });
    insertRun('b', 'd', { sensitivity: { criterion: 'random' } });
    insertRun('c', 'd', { train: {} });
    expect(db.prepare('SELECT id, criterion FROM runs ORDER BY id').all()).toEqual([
      { id: 'a', criterion: 'magnitude' },
      { id: 'b', criterion: 'random' },
      { id: 'c', criterion: null },
    ]);
  });

  it('cascades a run delete to its metrics, summaries, prune steps and layers', () => {
    migrate(db, 1);
    insertDataset('d');
    insertRun('r', 'd');
    db.prepare(`INSERT INTO metrics VALUES ('r', 'train', 'train', 'loss', 1, 0.5)`).run();
    db.prepare(
      `INSERT INTO metric_summaries VALUES ('r', 'train', 'train', 'loss', 1, 0.5, 1, 0.5, 1, 1)`,
    ).run();
    db.prepare(`INSERT INTO prune_steps VALUES ('r', 1, 10, 0.5, 0.5, '{}')`).run();
    db.prepare(`INSERT INTO prune_layers VALUES ('r', 1, 0, 'c', 4, 2, 0.5, 0.1, '{}', 2, 2, x'c0')`).run();
    db.prepare(`DELETE FROM runs WHERE id = 'r'`).run();
    for (const t of ['metrics', 'metric_summaries', 'prune_steps', 'prune_layers']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${t}`).get()).toEqual({ n: 0 });
    }
  });

  it('refuses rows pointing at a missing run or dataset', () => {
    migrate(db, 1);
    expect(() => insertRun('r', 'ghost')).toThrow(/FOREIGN KEY constraint failed/);
    expect(() =>
      db.prepare(`INSERT INTO metrics VALUES ('ghost', 'train', 'train', 'loss', 1, 0.5)`).run(),
    ).toThrow(/FOREIGN KEY constraint failed/);
  });
});
