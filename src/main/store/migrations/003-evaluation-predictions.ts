// Migration 3: an evaluation remembers which split it ran on and, per image, the predicted and true class
// (so the UI can list exactly the images of a confusion cell). Both are NULL for evaluations recorded
// before: NULL split reads as 'test', NULL predictions as "not recorded".
// predictions_json shape: {"predictions": [2, 0, …], "labels": [2, 1, …]} — same length, split order.
import type { Migration } from './types';

export const migration003: Migration = {
  version: 3,
  name: '003-evaluation-predictions',
  up(db) {
    db.exec(`
      ALTER TABLE evaluations ADD COLUMN split TEXT CHECK (split IN ('train', 'validation', 'test'));
      ALTER TABLE evaluations ADD COLUMN predictions_json TEXT;
    `);
  },
};
