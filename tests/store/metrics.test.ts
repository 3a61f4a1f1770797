import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/main/store';
import { isLowerBetter } from '../../src/main/store';
import { memoryStore, pruneConfig, sampleDataset, trainConfig } from './fixtures';

let store: Store;
let runId: string;
beforeEach(() => {
  store = memoryStore();
  store.datasets.save(sampleDataset());
  runId = store.runs.create({ name: 'r', kind: 'train', config: trainConfig() }).id;
});
afterEach(() => store.close());

const epoch = (e: number, values: Record<string, number>, phase: 'train' | 'finetune' = 'train') => ({
  epoch: e,
  phase,
  values: Object.entries(values).map(([key, value]) => {
    const [split, name] = key.split('.') as ['train' | 'validation' | 'test', string];
    return { split, name, value };
  }),
});

describe('metric direction rule', () => {
  it.each([
    ['loss', true],
    ['val_loss', true],
    ['crossEntropyLoss', true],
    ['top1Error', true],
    ['mse', true],
    ['accuracy', false],
    ['macroF1', false],
    ['lossless_ratio', false],
    ['precision', false],
  ])('%s → lower is better: %s', (name, lower) => {
    expect(isLowerBetter(name)).toBe(lower);
  });
});

describe('metrics repository', () => {
  it('finds the best epoch per metric: lowest loss, highest accuracy, earliest on ties', () => {
    store.metrics.append(runId, epoch(1, { 'validation.loss': 0.9, 'validation.accuracy': 0.6 }));
    store.metrics.append(runId, epoch(2, { 'validation.loss': 0.5, 'validation.accuracy': 0.8 }));
    store.metrics.append(runId, epoch(3, { 'validation.loss': 0.7, 'validation.accuracy': 0.8 }));
    store.metrics.append(runId, epoch(4, { 'validation.loss': 0.6, 'validation.accuracy': 0.75 }));
    expect(store.metrics.best(runId, 'validation', 'loss')).toEqual({ value: 0.5, epoch: 2 });
    expect(store.metrics.best(runId, 'validation', 'accuracy')).toEqual({ value: 0.8, epoch: 2 });
    expect(store.metrics.best(runId, 'train', 'accuracy')).toBeNull();
    const run = store.runs.get(runId);
    expect(run?.best).toEqual({
      'validation.loss': { value: 0.5, epoch: 2 },
      'validation.accuracy': { value: 0.8, epoch: 2 },
    });
    expect(run?.final).toEqual({ 'validation.loss': 0.6, 'validation.accuracy': 0.75 });
  });

  it('returns full series in epoch order, dense training before fine-tuning', () => {
    store.metrics.appendMany([
      { runId, ...epoch(2, { 'train.loss': 0.8, 'validation.accuracy': 0.7 }) },
      { runId, ...epoch(1, { 'train.loss': 1.2, 'validation.accuracy': 0.5 }) },
      { runId, ...epoch(1, { 'train.loss': 0.4 }, 'finetune') },
    ]);
    expect(store.metrics.series(runId)).toEqual([
      { name: 'loss', split: 'train', phase: 'train', epochs: [1, 2], values: [1.2, 0.8] },
      { name: 'accuracy', split: 'validation', phase: 'train', epochs: [1, 2], values: [0.5, 0.7] },
      { name: 'loss', split: 'train', phase: 'finetune', epochs: [1], values: [0.4] },
    ]);
  });

  it('judges a run by its last phase: fine-tuning values win over dense training', () => {
    store.metrics.append(runId, epoch(1, { 'validation.accuracy': 0.95, 'train.loss': 0.1 }));
    store.metrics.append(runId, epoch(1, { 'validation.accuracy': 0.7 }, 'finetune'));
    store.metrics.append(runId, epoch(2, { 'validation.accuracy': 0.8 }, 'finetune'));
    const run = store.runs.get(runId);
    expect(run?.best['validation.accuracy']).toEqual({ value: 0.8, epoch: 2 });
    expect(run?.final['validation.accuracy']).toBe(0.8);
    // Only dense training recorded train.loss, so that is what shows.
    expect(run?.best['train.loss']).toEqual({ value: 0.1, epoch: 1 });
    expect(store.metrics.best(runId, 'validation', 'accuracy', 'train')).toEqual({ value: 0.95, epoch: 1 });
  });

  it('replaces a re-recorded epoch and recomputes the best', () => {
    store.metrics.append(runId, epoch(1, { 'validation.loss': 0.3 }));
    store.metrics.append(runId, epoch(2, { 'validation.loss': 0.5 }));
    store.metrics.append(runId, epoch(1, { 'validation.loss': 0.9 }));
    expect(store.metrics.best(runId, 'validation', 'loss')).toEqual({ value: 0.5, epoch: 2 });
    expect(store.metrics.series(runId)[0]?.values).toEqual([0.9, 0.5]);
  });

  it('keeps NaN (stored as NULL) in the series but never as the best', () => {
    store.metrics.append(runId, epoch(1, { 'train.loss': 2 }));
    store.metrics.append(runId, epoch(2, { 'train.loss': Number.NaN }));
    expect(store.metrics.series(runId)[0]?.values).toEqual([2, Number.NaN]);
    expect(store.metrics.best(runId, 'train', 'loss')).toEqual({ value: 2, epoch: 1 });
    expect(Number.isNaN(store.runs.get(runId)?.final['train.loss'])).toBe(true);
  });

  it('truncates what a resume will redo and refreshes the summaries', () => {
    for (let e = 1; e <= 4; e++) store.metrics.append(runId, epoch(e, { 'validation.accuracy': e / 10 }));
    store.metrics.append(runId, epoch(1, { 'validation.accuracy': 0.9 }, 'finetune'));
    store.metrics.truncate(runId, 'train', 2);
    expect(store.metrics.series(runId)).toEqual([
      { name: 'accuracy', split: 'validation', phase: 'train', epochs: [1, 2], values: [0.1, 0.2] },
    ]);
    expect(store.runs.get(runId)?.best).toEqual({ 'validation.accuracy': { value: 0.2, epoch: 2 } });
  });

  it('writes a batch of many runs in one transaction, all or nothing', () => {
    const other = store.runs.create({ name: 'o', kind: 'prune', config: pruneConfig('ds-1', runId) }).id;
    expect(() =>
      store.metrics.appendMany([
        { runId, ...epoch(1, { 'train.loss': 1 }) },
        { runId: other, ...epoch(1, { 'train.loss': 2 }) },
        { runId: 'ghost', ...epoch(1, { 'train.loss': 3 }) },
      ]),
    ).toThrow('no run with id ghost');
    expect(store.metrics.series(runId)).toEqual([]);
    expect(store.metrics.series(other)).toEqual([]);
    store.metrics.appendMany([
      { runId, ...epoch(1, { 'train.loss': 1 }) },
      { runId: other, ...epoch(1, { 'train.loss': 2 }) },
    ]);
    const summaries = store.metrics.summaries([runId, other, 'ghost']);
    expect(summaries.get(runId)?.[0]).toMatchObject({
      name: 'loss',
      best: { value: 1, epoch: 1 },
      lowerIsBetter: true,
    });
    expect(summaries.get(other)?.[0]?.final).toEqual({ value: 2, epoch: 1 });
    expect(summaries.has('ghost')).toBe(false);
  });
});
