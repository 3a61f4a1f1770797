// "Best" means one thing everywhere: these pin the rule every view, the store and the CLI share.
import { describe, expect, it } from 'vitest';
import type { MetricSeries } from '../../src/shared/dto';
import { isLowerBetter, judgedSeries, runBest, soleWinner } from '../../src/shared/bestMetric';

const series = (phase: 'train' | 'finetune', name: string, values: number[]): MetricSeries => ({
  name,
  split: 'validation',
  phase,
  epochs: values.map((_, i) => i + 1),
  values,
});

describe('best', () => {
  it('goes by the metric name: losses and errors lower, the rest higher', () => {
    expect(['loss', 'val_loss', 'top1Error', 'rmse'].every(isLowerBetter)).toBe(true);
    expect(['accuracy', 'macroF1', 'auc'].some(isLowerBetter)).toBe(false);
  });

  it("judges a prune run on its own fine-tune epochs, never its parent's (even when they were better)", () => {
    // a run that recorded dense training too: 0.7367 there, fine-tuning never got back to it
    const metrics = [
      series('train', 'accuracy', [0.6, 0.7367]),
      series('finetune', 'accuracy', [0.69, 0.72, 0.71]),
    ];
    expect(runBest(metrics, 'validation', 'accuracy')).toEqual({ epoch: 2, value: 0.72 });
    expect(judgedSeries(metrics, 'validation', 'accuracy').earlier.map((m) => m.phase)).toEqual(['train']);
    // a dense run is judged on its training
    expect(runBest([series('train', 'loss', [0.9, 0.4, 0.4])], 'validation', 'loss')).toEqual({
      epoch: 2,
      value: 0.4,
    });
  });

  it('skips NaN and has no best for a run without epochs of that metric', () => {
    expect(runBest([series('finetune', 'accuracy', [NaN, 0.5, NaN])], 'validation', 'accuracy')).toEqual({
      epoch: 2,
      value: 0.5,
    });
    expect(runBest([series('finetune', 'accuracy', [NaN])], 'validation', 'accuracy')).toBeNull();
    expect(runBest([], 'validation', 'accuracy')).toBeNull();
  });

  it('a tie at the precision shown is not a win', () => {
    const runs = (a: number, b: number, c: number) => [
      { id: 'a', value: a },
      { id: 'b', value: b },
      { id: 'c', value: c },
    ];
    expect(soleWinner(runs(0.7367, 0.7367, 0.7), false, 1e-4)).toBeNull();
    // 73.674% and 73.666% both read "73.67%"
    expect(soleWinner(runs(0.73674, 0.73666, 0.7), false, 1e-4)).toBeNull();
    expect(soleWinner(runs(0.7368, 0.7367, 0.7), false, 1e-4)).toBe('a');
    expect(soleWinner(runs(0.41, 0.4, 0.5), true, 1e-4)).toBe('b');
    // one run with a value has nobody to beat
    expect(
      soleWinner(
        [
          { id: 'a', value: 0.9 },
          { id: 'b', value: null },
        ],
        false,
      ),
    ).toBeNull();
  });
});
