// The seeded, stratified train / validation / test split. Each class is shuffled with its own stream of the
// seed and cut so that every (class, split) count is the floor or the ceiling of its exact share; the
// leftover images go where the split totals are furthest below their targets. So each class's share of each
// split is within one image of the whole's, and the same seed always gives the same test set.
export const TRAIN = 0;
export const VALIDATION = 1;
export const TEST = 2;
export type SplitIndex = typeof TRAIN | typeof VALIDATION | typeof TEST;
export const splitNames = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof splitNames)[number];

export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

/** mulberry32: a small, fast PRNG with a 32-bit state — plenty for shuffling. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededShuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** How many of `n` images go to each split: floor or ceiling of n·fraction, leftovers by need. */
function cutCounts(n: number, fractions: readonly number[], deficit: number[]): number[] {
  const exact = fractions.map((f) => n * f);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, s) => ({ s, frac: x - Math.floor(x) }))
    .filter((o) => o.frac > 1e-9)
    .sort((a, b) => (deficit[b.s] ?? 0) + b.frac - ((deficit[a.s] ?? 0) + a.frac) || a.s - b.s);
  for (const { s } of order) {
    if (left <= 0) break;
    counts[s] = (counts[s] ?? 0) + 1;
    left--;
  }
  return counts;
}

/**
 * Assigns every item a split. `labels[i]` is item i's class; returns splitOf[i] ∈ {TRAIN, VALIDATION, TEST}.
 * Items of one class are taken in index order before shuffling, so the result depends only on the labels,
 * their order and the seed.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  classCount: number,
  fractions: SplitFractions,
  seed: number,
): Uint8Array {
  const f = [fractions.train, fractions.validation, fractions.test];
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i] ?? 0]?.push(i);
  const splitOf = new Uint8Array(labels.length);
  const deficit = [0, 0, 0];
  byClass.forEach((members, c) => {
    const counts = cutCounts(members.length, f, deficit);
    counts.forEach((k, s) => (deficit[s] = (deficit[s] ?? 0) + members.length * (f[s] ?? 0) - k));
    // One stream per class, so adding images to one class never reshuffles another.
    seededShuffle(members, seededRandom((seed ^ Math.imul(c + 1, 0x9e3779b1)) >>> 0));
    let at = 0;
    counts.forEach((k, s) => {
      for (const i of members.slice(at, at + k)) splitOf[i] = s;
      at += k;
    });
  });
  return splitOf;
}
