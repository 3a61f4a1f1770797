// Migration 4: a prune step remembers when it happened in fine-tune epochs and how accurate the model was
// right after it (before fine-tuning), so curves can show every pruning drop; a layer's mask remembers
// its convolution kernel size, so maps can fold kernel positions. All NULL for steps recorded before:
// the UI then draws no drop marker and shows masks unfolded.
// after_prune_json shape: {"split": "test", "images": 300, "accuracy": 0.357, "loss": 2.1}
import type { Migration } from './types';

export const migration004: Migration = {
  version: 4,
  name: '004-prune-step-measures',
  up(db) {
    db.exec(`
      ALTER TABLE prune_steps ADD COLUMN at_epoch REAL;
      ALTER TABLE prune_steps ADD COLUMN after_prune_json TEXT;
      ALTER TABLE prune_layers ADD COLUMN kernel_height INTEGER CHECK (kernel_height > 0);
      ALTER TABLE prune_layers ADD COLUMN kernel_width INTEGER CHECK (kernel_width > 0);
    `);
  },
};
