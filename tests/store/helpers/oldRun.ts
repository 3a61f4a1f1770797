// What a migration test starts from: a database at an older version holding one dataset and one run,
// written with that version's columns (so the test sees the migration keep them).
import type Database from 'better-sqlite3';

export function insertOldRun(db: Database.Database, kind: 'train' | 'prune' = 'train'): void {
  db.prepare(
    `INSERT INTO datasets (id, name, source_path, kind, created_at, imported, skipped, height, width, channels,
       resize_mode, classes_json, channel_mix_json, size_stats_json, split_json, warnings_json, problems_json)
     VALUES ('d', 'n', '/p', 'folder', 't', 1, 0, 28, 28, 1, 'crop', '[]', '{}', '{}', '{}', '[]', '[]')`,
  ).run();
  db.prepare(
    `INSERT INTO runs (id, name, kind, status, dataset_id, config_json, seed, created_at)
     VALUES ('old', 'old', ?, 'done', 'd', '{}', 1, 't')`,
  ).run(kind);
}
