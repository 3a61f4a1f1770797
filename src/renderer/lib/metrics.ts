// Reading metric series out of a RunDetail: which series exist, their best epoch, their final value.
import type { MetricSeries, MetricSplit } from '../../shared/dto';

export type Goal = 'max' | 'min';

export function metricGoal(name: string): Goal {
  return /loss|error/i.test(name) ? 'min' : 'max';
}

export function findSeries(
  metrics: MetricSeries[],
  split: MetricSplit,
  name: string,
  phase?: 'train' | 'finetune',
) {
  return metrics.filter(
    (m) => m.split === split && m.name === name && (phase === undefined || m.phase === phase),
  );
}

/** Concatenates train + finetune phases into one epoch axis (finetune epochs continue after training). */
export function joinedSeries(
  metrics: MetricSeries[],
  split: MetricSplit,
  name: string,
): { epochs: number[]; values: number[]; finetuneFrom: number | null } {
  const train = findSeries(metrics, split, name, 'train')[0];
  const tune = findSeries(metrics, split, name, 'finetune')[0];
  const epochs = [...(train?.epochs ?? [])];
  const values = [...(train?.values ?? [])];
  const offset = epochs.length ? Math.max(...epochs) : 0;
  const finetuneFrom = tune && tune.epochs.length ? offset + Math.min(...tune.epochs) : null;
  for (let i = 0; i < (tune?.epochs.length ?? 0); i++) {
    epochs.push(offset + (tune?.epochs[i] ?? 0));
    values.push(tune?.values[i] ?? NaN);
  }
  return { epochs, values, finetuneFrom };
}

export function bestOf(
  epochs: number[],
  values: number[],
  goal: Goal,
): { epoch: number; value: number } | null {
  let best: { epoch: number; value: number } | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const e = epochs[i];
    if (v === undefined || e === undefined || !Number.isFinite(v)) continue;
    if (!best || (goal === 'max' ? v > best.value : v < best.value)) best = { epoch: e, value: v };
  }
  return best;
}

/** Metric names present in a set of series (e.g. loss, accuracy), most useful first. */
export function metricNames(metrics: MetricSeries[]): string[] {
  const names = [...new Set(metrics.map((m) => m.name))];
  const rank = (n: string) => (n === 'loss' ? 0 : n === 'accuracy' ? 1 : 2);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
