// Migration 3 on an in-memory database: evaluations gain a split and per-image classes; rows recorded before
// keep every value and read back without them, so the UI knows to fall back.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, readUserVersion } from '../../../src/main/store/migrations';
import { insertOldRun } from '../helpers/oldRun';
import { rowToEvaluation } from '../../../src/main/store/repositories/evaluations';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, 2);
  insertOldRun(db);
  db.prepare(
    `INSERT INTO evaluations (run_id, which, loss, accuracy, macro_f1, balanced_accuracy, per_class_json,
       confusion_json, wrong_json, created_at)
     VALUES ('old', 'final', 0.5, 0.75, 0.7, 0.72, '[]', '[[3,1],[0,4]]',
       '[{"index":2,"label":0,"predicted":1,"confidence":0.9}]', 't')`,
  ).run();
});
afterEach(() => db.close());

const row = () => db.prepare(`SELECT * FROM evaluations WHERE run_id = 'old'`).get() as never;

describe('migration 003-evaluation-predictions', () => {
  it('moves user_version from 2 to 3', () => {
    expect(migrate(db, 3)).toBe(3);
    expect(readUserVersion(db)).toBe(3);
  });

  it('keeps an existing evaluation whole; it reads back without split or per-image classes', () => {
    migrate(db, 3);
    const report = rowToEvaluation(row());
    expect(report).toEqual({
      loss: 0.5,
      accuracy: 0.75,
      macroF1: 0.7,
      balancedAccuracy: 0.72,
      perClass: [],
      confusion: [
        [3, 1],
        [0, 4],
      ],
      mostConfidentlyWrong: [{ index: 2, label: 0, predicted: 1, confidence: 0.9 }],
    });
    expect(report).not.toHaveProperty('predictions');
    expect(report).not.toHaveProperty('labels');
    expect(report).not.toHaveProperty('split');
  });

  it('accepts only known split names', () => {
    migrate(db, 3);
    const setSplit = (split: string) =>
      db.prepare(`UPDATE evaluations SET split = ? WHERE run_id = 'old'`).run(split);
    expect(() => setSplit('validation')).not.toThrow();
    expect(() => setSplit('holdout')).toThrow(/CHECK constraint/);
  });
});
