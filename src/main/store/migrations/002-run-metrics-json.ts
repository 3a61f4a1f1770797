// Migration 2: each run carries its best/final metrics as one JSON column, so listing 1,000 runs is one
// indexed query with no per-run aggregation (metric_summaries stays the queryable source of truth; the
// metrics repository rewrites this column in the same transaction as every metric write).
// Shape: {"best": {"validation.accuracy": {"value": 0.91, "epoch": 7} | null, …}, "final": {"…": 0.9 | null}}
// — per `${split}.${name}` key, taken from the run's last phase that recorded the metric (finetune over train).
import type { Migration } from './types';

export const migration002: Migration = {
  version: 2,
  name: '002-run-metrics-json',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN metrics_json TEXT NOT NULL DEFAULT '{"best":{},"final":{}}';

      UPDATE runs SET metrics_json = (
        SELECT json_object(
          'best', json_group_object(s.split || '.' || s.name,
            CASE WHEN s.best_value IS NULL THEN NULL
                 ELSE json_object('value', s.best_value, 'epoch', s.best_epoch) END),
          'final', json_group_object(s.split || '.' || s.name, s.final_value))
        FROM metric_summaries s
        WHERE s.run_id = runs.id
          AND (s.phase = 'finetune' OR NOT EXISTS (
            SELECT 1 FROM metric_summaries f
            WHERE f.run_id = s.run_id AND f.split = s.split AND f.name = s.name AND f.phase = 'finetune'))
      );
    `);
  },
};
