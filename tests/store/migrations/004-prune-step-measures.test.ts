// Migration 4 on an in-memory database: prune steps gain when they happened (fine-tune epochs) and the
// accuracy right after pruning, layers their kernel size; steps recorded before keep every value and
// read back without them.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, readUserVersion } from '../../../src/main/store/migrations';
import { insertOldRun } from '../helpers/oldRun';
import { createPruneStepsRepository } from '../../../src/main/store/repositories/pruneSteps';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, 3);
  insertOldRun(db, 'prune');
  db.prepare(
    `INSERT INTO prune_steps (run_id, step, at_step, target_sparsity, achieved_sparsity, totals_json)
     VALUES ('old', 1, 0, 0.8, 0.8, '{"parameters":10}')`,
  ).run();
  db.prepare(
    `INSERT INTO prune_layers (run_id, step, position, name, weights, kept, sparsity, threshold, histogram_json,
       mask_rows, mask_cols, mask)
     VALUES ('old', 1, 0, 'conv1', 8, 2, 0.75, 0.1, '{"min":0,"max":1,"counts":[]}', 2, 4, X'C0')`,
  ).run();
});
afterEach(() => db.close());

describe('migration 004-prune-step-measures', () => {
  it('moves user_version from 3 to 4', () => {
    expect(migrate(db, 4)).toBe(4);
    expect(readUserVersion(db)).toBe(4);
  });

  it('keeps an existing step whole; it reads back without the new figures', () => {
    migrate(db, 4);
    const [step] = createPruneStepsRepository(db).list('old');
    expect(step).toEqual({
      step: 1,
      atStep: 0,
      targetSparsity: 0.8,
      achievedSparsity: 0.8,
      totals: { parameters: 10 },
      layers: [
        {
          name: 'conv1',
          weights: 8,
          kept: 2,
          sparsity: 0.75,
          threshold: 0.1,
          histogram: { min: 0, max: 1, counts: [] },
          mask: { rows: 2, cols: 4, bitsBase64: 'wA==' },
        },
      ],
    });
  });

  it('refuses a kernel size that is not positive', () => {
    migrate(db, 4);
    expect(() => db.prepare(`UPDATE prune_layers SET kernel_height = 0`).run()).toThrow(/CHECK constraint/);
    expect(() =>
      db.prepare(`UPDATE prune_layers SET kernel_height = 3, kernel_width = 3`).run(),
    ).not.toThrow();
  });
});
