// Migration 5 on a database as version 4 left it: names that clashed become unique (the oldest keeps its
// name, the others say how they differ), runs and sweeps that carried a renamed dataset's name follow it,
// uploads are recognised by their folder, and the name index refuses new clashes whatever their case.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, readUserVersion } from '../../../src/main/store/migrations';

let dir: string;
let db: Database.Database;

function insertDataset(id: string, name: string, created: string, imported = 3000, shape = [28, 28, 1]) {
  db.prepare(
    `INSERT INTO datasets (id, name, source_path, kind, created_at, imported, skipped, height, width, channels,
       resize_mode, classes_json, channel_mix_json, size_stats_json, split_json, warnings_json, problems_json)
     VALUES (?, ?, ?, 'folder', ?, ?, 0, ?, ?, ?, 'crop', '[]', '{}', '{}', '{}', '[]', '[]')`,
  ).run(id, name, `/data/${id}`, created, imported, ...shape);
}

function insertRun(id: string, datasetId: string, name: string) {
  db.prepare(
    `INSERT INTO runs (id, name, kind, status, dataset_id, config_json, seed, created_at)
     VALUES (?, ?, 'train', 'done', ?, '{}', 1, 't')`,
  ).run(id, name, datasetId);
}

const names = () =>
  Object.fromEntries(
    (db.prepare('SELECT id, name FROM datasets').all() as { id: string; name: string }[]).map((r) => [
      r.id,
      r.name,
    ]),
  );

beforeEach(() => {
  // A file database: the migration recognises uploads by the folder next to the database file.
  dir = mkdtempSync(join(tmpdir(), 'prunelab-m005-'));
  db = new Database(join(dir, 'prunelab.db'));
  db.pragma('foreign_keys = ON');
  migrate(db, 4);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('migration 005-dataset-identity', () => {
  it('moves user_version from 4 to 5', () => {
    expect(migrate(db, 5)).toBe(5);
    expect(readUserVersion(db)).toBe(5);
  });

  it('keeps the oldest of clashing names and names the others by what differs', () => {
    insertDataset('sample', 'fashion-mnist', '2026-01-01', 3000);
    insertDataset('idx', 'fashion-mnist', '2026-01-02', 70_000);
    insertDataset('again', 'Fashion-MNIST', '2026-01-03', 3000);
    insertDataset('big32', 'fashion-mnist', '2026-01-04', 3000, [32, 32, 1]);
    insertDataset('other', 'cats', '2026-01-05');
    migrate(db, 5);
    expect(names()).toEqual({
      sample: 'fashion-mnist',
      idx: 'fashion-mnist (70,000 images)',
      // same count and shape as the oldest: nothing to say but a number
      again: 'Fashion-MNIST (2)',
      big32: 'fashion-mnist (32×32×1)',
      other: 'cats',
    });
  });

  it('renames the runs and sweeps that carry a renamed dataset name, and leaves other names alone', () => {
    insertDataset('a', 'digits', '2026-01-01');
    insertDataset('b', 'digits', '2026-01-02', 500);
    insertRun('r1', 'b', 'taylor 80% · digits');
    insertRun('r2', 'b', 'taylor 80% · digits · dense');
    insertRun('r3', 'b', 'my digits experiment');
    insertRun('r4', 'a', 'lenet5 · digits');
    db.prepare(
      `INSERT INTO sweeps (id, name, dataset_id, request_json, created_at)
                VALUES ('s', 'sweep · digits', 'b', '{}', 't')`,
    ).run();
    migrate(db, 5);
    const runNames = db.prepare('SELECT id, name FROM runs ORDER BY id').all();
    expect(runNames).toEqual([
      { id: 'r1', name: 'taylor 80% · digits (500 images)' },
      { id: 'r2', name: 'taylor 80% · digits (500 images) · dense' },
      { id: 'r3', name: 'my digits experiment' },
      { id: 'r4', name: 'lenet5 · digits' },
    ]);
    expect(db.prepare(`SELECT name FROM sweeps`).get()).toEqual({ name: 'sweep · digits (500 images)' });
  });

  it('marks datasets imported from this data folder’s uploads as uploads; content hashes start empty', () => {
    insertDataset('local', 'flowers', '2026-01-01');
    insertDataset('up', 'dropped', '2026-01-02');
    db.prepare(`UPDATE datasets SET source_path = ? WHERE id = 'up'`).run(
      join(dir, 'uploads', 'session', '0123456789abcdef0123456789abcdef', 'dropped'),
    );
    // A folder merely named uploads elsewhere is not ours.
    db.prepare(`UPDATE datasets SET source_path = '/home/me/uploads/flowers' WHERE id = 'local'`).run();
    migrate(db, 5);
    expect(db.prepare('SELECT id, origin, content_hash FROM datasets ORDER BY id').all()).toEqual([
      { id: 'local', origin: 'path', content_hash: null },
      { id: 'up', origin: 'upload', content_hash: null },
    ]);
    expect(() => db.prepare(`UPDATE datasets SET origin = 'cloud'`).run()).toThrow(/CHECK constraint/);
  });

  it('refuses a second dataset with the same name in any letter case afterwards', () => {
    insertDataset('a', 'Shapes', '2026-01-01');
    migrate(db, 5);
    expect(() => insertDataset('b', 'shapes', '2026-01-02')).toThrow(
      /UNIQUE constraint failed: datasets\.name/,
    );
    expect(() => insertDataset('c', 'Shapes 2', '2026-01-02')).not.toThrow();
  });
});
