// What "best" means, once, for every view (runs table, run page, charts, Compare), the CLI and the store:
// - Direction by name (case-insensitive): a name ending in `loss`, `error`, `mse`, `mae` or `rmse` is
//   lower-is-better (loss, val_loss, top1Error); every other metric (accuracy, f1, …) higher-is-better.
// - A run is judged on its OWN epochs of its last phase: fine-tuning for a prune run, training for a dense
//   run. A prune run's dense parent trained the weights it starts from, but those epochs are the parent's:
//   views draw them faded before a divider and never count them.
// - Within a series, ties go to the earliest epoch; NaN never counts as best.
// - Across runs, a run wins only when no other run ties it at the precision shown: a tie is not a win.
import type { MetricBest, MetricSeries, MetricSplit } from './dto';

export type MetricPhase = MetricSeries['phase'];

const lowerIsBetterSuffix = /(loss|error|mse|mae|rmse)$/i;

export function isLowerBetter(metricName: string): boolean {
  return lowerIsBetterSuffix.test(metricName);
}

export interface SeriesPoint {
  epoch: number;
  value: number | null;
}

/** Best and final of a series given in ascending epoch order; null best when every value is NaN. */
export function summariseSeries(
  points: readonly SeriesPoint[],
  lowerIsBetter: boolean,
): { best: SeriesPoint | null; final: SeriesPoint | null } {
  let best: SeriesPoint | null = null;
  for (const p of points) {
    if (p.value === null || Number.isNaN(p.value)) continue;
    if (best === null || best.value === null) {
      best = p;
      continue;
    }
    if (lowerIsBetter ? p.value < best.value : p.value > best.value) best = p;
  }
  return { best, final: points.length > 0 ? (points[points.length - 1] ?? null) : null };
}

const phaseRank: Record<MetricPhase, number> = { train: 0, finetune: 1 };

/** The phase a run is judged on: its last one (fine-tuning over training). */
export function judgedPhase(phases: Iterable<MetricPhase>): MetricPhase | null {
  let chosen: MetricPhase | null = null;
  for (const p of phases) if (chosen === null || phaseRank[p] > phaseRank[chosen]) chosen = p;
  return chosen;
}

/**
 * The run's own series of one metric in the phase it is judged on, and what came before it in the run's
 * own record (normally nothing: a prune run's training epochs belong to its parent).
 */
export function judgedSeries(
  metrics: readonly MetricSeries[],
  split: MetricSplit,
  name: string,
): { own: MetricSeries | null; earlier: MetricSeries[] } {
  const matching = metrics.filter((m) => m.split === split && m.name === name);
  const phase = judgedPhase(matching.map((m) => m.phase));
  return {
    own: matching.find((m) => m.phase === phase) ?? null,
    earlier: matching.filter((m) => m.phase !== phase),
  };
}

/** A run's best value of one metric, by the rule above. */
export function runBest(
  metrics: readonly MetricSeries[],
  split: MetricSplit,
  name: string,
): MetricBest | null {
  const { own } = judgedSeries(metrics, split, name);
  if (!own) return null;
  const points = own.epochs.map((epoch, i) => ({ epoch, value: own.values[i] ?? null }));
  const { best } = summariseSeries(points, isLowerBetter(name));
  return best && best.value !== null ? { epoch: best.epoch, value: best.value } : null;
}

/**
 * Which of several runs holds the best value, or null when nobody does outright: a value that ties
 * another run's at the precision the view shows (`resolution`, e.g. 0.0001 for "73.67%") is not a win.
 */
export function soleWinner(
  entries: readonly { id: string; value: number | null | undefined }[],
  lowerIsBetter: boolean,
  resolution = 0,
): string | null {
  const shown = (v: number) => (resolution > 0 ? Math.round(v / resolution) : v);
  const valued = entries
    .filter(
      (e): e is { id: string; value: number } => typeof e.value === 'number' && Number.isFinite(e.value),
    )
    .map((e) => ({ id: e.id, value: shown(e.value) }));
  if (valued.length < 2) return null;
  const sorted = valued.sort((a, b) => (lowerIsBetter ? a.value - b.value : b.value - a.value));
  return sorted[0]!.value !== sorted[1]!.value ? sorted[0]!.id : null;
}
