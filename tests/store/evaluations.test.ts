// Evaluations' per-image classes and split: kept across a reopen, replaced with the evaluation, absent for
// evaluations without them, and refused (saving nothing) when the two arrays disagree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EvaluationReport } from '../../src/shared/dto';
import { openStore, type Store } from '../../src/main/store';
import { memoryStore, sampleDataset, sampleEvaluation, trainConfig } from './fixtures';

let store: Store;
let runId: string;
beforeEach(() => {
  store = memoryStore();
  store.datasets.save(sampleDataset('ds-1', 'Shapes'));
  runId = store.runs.create({ name: 'r', kind: 'train', config: trainConfig() }).id;
});
afterEach(() => store.close());

function withoutPerImage(r: EvaluationReport): EvaluationReport {
  const { predictions: _p, labels: _l, split: _s, ...rest } = r;
  return rest;
}

describe('evaluations with per-image classes', () => {
  it('survive closing and reopening the database, and come back in the run detail', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prunelab-eval-'));
    try {
      const path = join(dir, 'prunelab.db');
      const first = openStore(path);
      first.datasets.save(sampleDataset('ds-1', 'Shapes'));
      const id = first.runs.create({ name: 'r', kind: 'train', config: trainConfig() }).id;
      const report = { ...sampleEvaluation(0.9), split: 'validation' as const };
      first.evaluations.save(id, 'final', report);
      first.close();
      const again = openStore(path);
      try {
        const read = again.evaluations.get(id, 'final');
        expect(read).toEqual(report);
        expect(read?.predictions).toEqual([0, 0, 0, 1, 0, 0, 1, 1, 1, 1]);
        expect(read?.labels).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
        expect(read?.split).toBe('validation');
        expect(again.runDetail(id)?.evaluation?.predictions).toEqual(report.predictions);
      } finally {
        again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an evaluation without them reads back without them, also when it replaces one with them', () => {
    store.evaluations.save(runId, 'final', sampleEvaluation(0.9));
    const bare = withoutPerImage(sampleEvaluation(0.8));
    store.evaluations.save(runId, 'final', bare);
    const read = store.evaluations.get(runId, 'final')!;
    expect(read).toEqual(bare);
    expect(read).not.toHaveProperty('predictions');
    expect(read).not.toHaveProperty('labels');
    expect(read).not.toHaveProperty('split');
  });

  it('refuses predictions without labels or of another length, keeping the saved evaluation', () => {
    const saved = sampleEvaluation(0.9);
    store.evaluations.save(runId, 'final', saved);
    const { labels: _l, ...noLabels } = sampleEvaluation(0.5);
    expect(() => store.evaluations.save(runId, 'final', noLabels)).toThrow(/same length, or neither/);
    const short = { ...sampleEvaluation(0.5), labels: [0, 1] };
    expect(() => store.evaluations.save(runId, 'final', short)).toThrow(/same length, or neither/);
    expect(store.evaluations.get(runId, 'final')).toEqual(saved);
  });

  it('a corrupt column is a clear error naming the evaluation', () => {
    store.evaluations.save(runId, 'final', sampleEvaluation(0.9));
    store.db
      .prepare(`UPDATE evaluations SET predictions_json = '{"predictions":[1]}' WHERE run_id = ?`)
      .run(runId);
    expect(() => store.evaluations.get(runId, 'final')).toThrow(`evaluations ${runId}/final`);
  });
});
