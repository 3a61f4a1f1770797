// Which way is "best" for a metric. The rule, by name (case-insensitive): a name ending in `loss`, `error`,
// `mse`, `mae` or `rmse` is lower-is-better (loss, val_loss, crossEntropyLoss, top1Error); every other
// metric (accuracy, f1, macroF1, precision, recall, auc, …) is higher-is-better. Ties go to the EARLIEST
// epoch; NaN values never count as best.
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
