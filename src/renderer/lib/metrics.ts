// Reading a run's metric series for the charts and tables. What "best" means lives in
// src/shared/bestMetric.ts, once; this file places a run's curve on an epoch axis:
// - the run's own epochs (the phase it is judged on) sit at x = 1, 2, …;
// - what came before them — a prune run's dense parent's training — sits at x ≤ 0, drawn faded before
//   a divider at x = 0 and never counted;
// - each prune step's after-prune measure sits at x = the fine-tune epochs done when it pruned (0 for
//   one-shot: right where the parent's curve ends), so the drop shows as its own point.
import type { MetricBest, MetricSeries, MetricSplit, PruneStepReport, RunDetail } from '../../shared/dto';
import { isLowerBetter, judgedSeries, runBest } from '../../shared/bestMetric';

export { isLowerBetter, runBest };

export interface Points {
  x: number[];
  values: number[];
}

export interface PruneDrop {
  x: number;
  step: number;
  value: number;
  /** the run's own curve value just before this prune, when known (the top of the drop) */
  before: number | null;
  split: string;
  images: number;
}

export interface CurveParts {
  own: Points;
  /** a prune run's dense parent's (or the run's own earlier phase's) epochs, at x ≤ 0 */
  inherited: Points;
  /** epochs of the inherited part (its x = 0 is this epoch) */
  inheritedEpochs: number;
  best: MetricBest | null;
  drops: PruneDrop[];
  /** where pruning starts (x = 0) for a prune run, else null */
  dividerAt: number | null;
}

const empty = (): Points => ({ x: [], values: [] });

function toPoints(series: MetricSeries | null | undefined, offset = 0): Points {
  return series ? { x: series.epochs.map((e) => e - offset), values: [...series.values] } : empty();
}

/** The after-prune measure of a metric, when a step recorded one (accuracy and loss are measured). */
function afterPruneValue(step: PruneStepReport, name: string): number | null {
  const m = step.afterPrune;
  if (!m) return null;
  return name === 'accuracy' ? m.accuracy : name === 'loss' ? m.loss : null;
}

function valueAt(points: Points, x: number): number | null {
  const i = points.x.indexOf(x);
  return i >= 0 ? (points.values[i] ?? null) : null;
}

/**
 * Everything one run's chart of one metric needs. `parent` is the dense run a prune run started from
 * (null when it is not loaded or there is none).
 */
export function curveParts(
  run: Pick<RunDetail, 'metrics' | 'pruneSteps' | 'kind'>,
  parent: Pick<RunDetail, 'metrics'> | null | undefined,
  split: MetricSplit,
  name: string,
): CurveParts {
  const { own, earlier } = judgedSeries(run.metrics, split, name);
  const before =
    earlier[earlier.length - 1] ?? (parent ? judgedSeries(parent.metrics, split, name).own : null);
  const inheritedEpochs = before?.epochs.length ? Math.max(...before.epochs) : 0;
  const inherited = toPoints(before, inheritedEpochs);
  const ownPoints = toPoints(own);
  const pruned = run.kind === 'prune' || run.pruneSteps.length > 0;
  const drops: PruneDrop[] = [];
  for (const step of run.pruneSteps) {
    const value = afterPruneValue(step, name);
    if (value === null || step.atEpoch === undefined || !step.afterPrune) continue;
    const x = step.atEpoch;
    drops.push({
      x,
      step: step.step,
      value,
      before: valueAt(x > 0 ? ownPoints : inherited, x),
      split: step.afterPrune.split,
      images: step.afterPrune.images,
    });
  }
  return {
    own: ownPoints,
    inherited,
    inheritedEpochs,
    best: runBest(run.metrics, split, name),
    drops,
    dividerAt: pruned ? 0 : null,
  };
}

/** "fine-tune epoch 2" for a prune run's own epochs, "epoch 2" for a dense run's. */
export function epochLabel(run: Pick<RunDetail, 'kind'>, epoch: number): string {
  return run.kind === 'prune' ? `fine-tune epoch ${epoch}` : `epoch ${epoch}`;
}

/** Metric names present in a set of series (e.g. loss, accuracy), most useful first. */
export function metricNames(metrics: MetricSeries[]): string[] {
  const names = [...new Set(metrics.filter((m) => m.split !== 'test').map((m) => m.name))];
  const rank = (n: string) => (n === 'loss' ? 0 : n === 'accuracy' ? 1 : 2);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The last value of the run's own series (the phase it is judged on). */
export function finalValue(
  metrics: readonly MetricSeries[],
  split: MetricSplit,
  name: string,
): number | null {
  const { own } = judgedSeries(metrics, split, name);
  return own && own.values.length ? (own.values[own.values.length - 1] ?? null) : null;
}
