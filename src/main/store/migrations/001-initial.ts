// Migration 1: the whole experiment history. Every table is STRICT (a value of the wrong type is an error,
// not a silent conversion); JSON columns hold nested DTO parts that are always read whole.
import type { Migration } from './types';

export const migration001: Migration = {
  version: 1,
  name: '001-initial',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        source_path TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('folder', 'idx', 'cifar')),
        created_at TEXT NOT NULL,
        imported INTEGER NOT NULL CHECK (imported >= 0),
        skipped INTEGER NOT NULL CHECK (skipped >= 0),
        height INTEGER NOT NULL,
        width INTEGER NOT NULL,
        channels INTEGER NOT NULL,
        resize_mode TEXT NOT NULL CHECK (resize_mode IN ('crop', 'pad', 'stretch')),
        classes_json TEXT NOT NULL,
        channel_mix_json TEXT NOT NULL,
        size_stats_json TEXT NOT NULL,
        split_json TEXT NOT NULL,
        warnings_json TEXT NOT NULL,
        problems_json TEXT NOT NULL
      ) STRICT;
      CREATE INDEX datasets_by_created ON datasets (created_at);

      CREATE TABLE sweeps (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        dataset_id TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
        request_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX sweeps_by_dataset ON sweeps (dataset_id);

      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('train', 'prune', 'sensitivity')),
        status TEXT NOT NULL
          CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        dataset_id TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
        config_json TEXT NOT NULL,
        -- Denormalised from the config so the runs list can filter by criterion through an index.
        criterion TEXT GENERATED ALWAYS AS (
          coalesce(json_extract(config_json, '$.prune.criterion'), json_extract(config_json, '$.sensitivity.criterion'))
        ) VIRTUAL,
        seed INTEGER NOT NULL,
        backend_json TEXT,
        parent_run_id TEXT REFERENCES runs (id) ON DELETE SET NULL,
        sweep_id TEXT REFERENCES sweeps (id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error TEXT,
        -- Achieved sparsity, kept up to date by each recorded prune step (or the task's final figure).
        sparsity REAL,
        -- The last checkpoint written, so an interrupted run resumes from its last epoch.
        checkpoint_epoch INTEGER,
        checkpoint_phase TEXT CHECK (checkpoint_phase IN ('train', 'finetune')),
        checkpoint_path TEXT,
        -- Where the final model state lives once the run is done (a child run starts from it).
        model_dir TEXT,
        -- The process that set the run running; lets startup tell a crashed owner from a live CLI.
        owner_pid INTEGER
      ) STRICT;
      CREATE INDEX runs_by_created ON runs (created_at);
      CREATE INDEX runs_by_dataset ON runs (dataset_id, created_at);
      CREATE INDEX runs_by_status ON runs (status, created_at);
      CREATE INDEX runs_by_kind ON runs (kind, created_at);
      CREATE INDEX runs_by_sweep ON runs (sweep_id, created_at) WHERE sweep_id IS NOT NULL;
      CREATE INDEX runs_by_parent ON runs (parent_run_id, created_at) WHERE parent_run_id IS NOT NULL;
      CREATE INDEX runs_by_criterion ON runs (criterion, created_at);

      -- One value per (run, phase, split, metric, epoch). NULL stands for NaN (SQLite has no NaN).
      CREATE TABLE metrics (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        phase TEXT NOT NULL CHECK (phase IN ('train', 'finetune')),
        split TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test')),
        name TEXT NOT NULL,
        epoch INTEGER NOT NULL CHECK (epoch >= 0),
        value REAL,
        PRIMARY KEY (run_id, phase, split, name, epoch)
      ) STRICT, WITHOUT ROWID;

      -- Best and final value of every metric of every run, maintained in the same transaction as the
      -- metric rows, so listing 1,000 runs never scans their series.
      CREATE TABLE metric_summaries (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        phase TEXT NOT NULL CHECK (phase IN ('train', 'finetune')),
        split TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test')),
        name TEXT NOT NULL,
        lower_is_better INTEGER NOT NULL CHECK (lower_is_better IN (0, 1)),
        best_value REAL,
        best_epoch INTEGER,
        final_value REAL,
        final_epoch INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (run_id, phase, split, name)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE prune_steps (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        at_step INTEGER NOT NULL,
        target_sparsity REAL NOT NULL,
        achieved_sparsity REAL NOT NULL,
        totals_json TEXT NOT NULL,
        PRIMARY KEY (run_id, step)
      ) STRICT;

      CREATE TABLE prune_layers (
        run_id TEXT NOT NULL,
        step INTEGER NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        weights INTEGER NOT NULL,
        kept INTEGER NOT NULL,
        sparsity REAL NOT NULL,
        threshold REAL,
        histogram_json TEXT NOT NULL,
        mask_rows INTEGER NOT NULL,
        mask_cols INTEGER NOT NULL,
        mask BLOB NOT NULL,
        PRIMARY KEY (run_id, step, position),
        FOREIGN KEY (run_id, step) REFERENCES prune_steps (run_id, step) ON DELETE CASCADE
      ) STRICT;

      CREATE TABLE evaluations (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        which TEXT NOT NULL CHECK (which IN ('dense', 'final')),
        loss REAL,
        accuracy REAL,
        macro_f1 REAL,
        balanced_accuracy REAL,
        per_class_json TEXT NOT NULL,
        confusion_json TEXT NOT NULL,
        wrong_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, which)
      ) STRICT;

      CREATE TABLE sensitivity_curves (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        layer TEXT NOT NULL,
        position INTEGER NOT NULL,
        sparsities_json TEXT NOT NULL,
        accuracies_json TEXT NOT NULL,
        losses_json TEXT NOT NULL,
        PRIMARY KEY (run_id, layer)
      ) STRICT;

      CREATE TABLE artifacts (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        format TEXT NOT NULL CHECK (format IN ('tfjs', 'onnx', 'dataset-png')),
        encoding TEXT CHECK (encoding IN ('float32', 'float16', 'uint8')),
        path TEXT NOT NULL,
        zip_path TEXT,
        bytes INTEGER NOT NULL CHECK (bytes >= 0),
        gzip_bytes INTEGER NOT NULL CHECK (gzip_bytes >= 0),
        sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sizes_json TEXT,
        parity_json TEXT
      ) STRICT;
      CREATE INDEX artifacts_by_run ON artifacts (run_id, gzip_bytes);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL
      ) STRICT;

      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('import', 'train', 'prune', 'sensitivity', 'export', 'dataset-export')),
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        run_id TEXT REFERENCES runs (id) ON DELETE SET NULL,
        dataset_id TEXT,
        input_json TEXT NOT NULL,
        phase TEXT NOT NULL DEFAULT '',
        done REAL NOT NULL DEFAULT 0,
        total REAL NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error_json TEXT
      ) STRICT;
      CREATE INDEX jobs_by_status ON jobs (status, created_at);
    `);
  },
};
