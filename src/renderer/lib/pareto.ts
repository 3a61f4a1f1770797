// The Pareto front of a scatter: the points no other point beats on both axes.

export interface ParetoPoint {
  id: string;
  x: number;
  y: number;
}

/**
 * Returns the ids on the front, ordered by x. `xBetter` says whether a larger x is better (sparsity)
 * or a smaller one (file size); a larger y (accuracy) is always better.
 */
export function paretoFront(points: ParetoPoint[], xBetter: 'higher' | 'lower'): ParetoPoint[] {
  const sign = xBetter === 'higher' ? 1 : -1;
  const dominated = (a: ParetoPoint, b: ParetoPoint) =>
    sign * b.x >= sign * a.x && b.y >= a.y && (sign * b.x > sign * a.x || b.y > a.y);
  return points
    .filter((a) => Number.isFinite(a.x) && Number.isFinite(a.y))
    .filter((a, _i, all) => !all.some((b) => b !== a && dominated(a, b)))
    .sort((a, b) => a.x - b.x);
}
