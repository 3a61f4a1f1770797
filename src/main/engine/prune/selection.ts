import type { PruneTarget, Scope } from '../../../shared/dto';

/** One kernel's scores and which of its weights an earlier step already pruned (1 = pruned). */
export interface LayerScores {
  key: string;
  scores: Float32Array;
  alreadyPruned?: Uint8Array | null;
}

export interface LayerSelection {
  key: string;
  /** 1 = kept, 0 = pruned, in the kernel's memory order */
  keep: Uint8Array;
  pruned: number;
  /** the score at the cut: θ for a threshold target, else the highest score that was pruned (0 if none) */
  threshold: number;
}

export interface SelectionRules {
  target: PruneTarget;
  scope: Scope;
  /** every layer keeps at least this fraction (global scope and threshold targets); at least one weight always */
  minKeptFraction: number;
  /**
   * Global scope with a sparsity target only: how each layer's scores are put on one scale before the
   * ranking — `l2` divides by the layer's L2 norm of scores (Molchanov et al. 2017), `mean` by the layer's
   * mean score, `none` ranks raw (see saliency.ts's layerNormalization for which criterion uses which).
   * Reported thresholds stay in raw score units.
   */
  normalization?: LayerNormalization;
}

export type LayerNormalization = 'none' | 'l2' | 'mean' | 'lamp';

/**
 * Decides which weights to prune. Sparsity targets are met exactly: round(s·n) weights per layer
 * (layer scope) or round(s·N) over all layers (global scope), ties broken by position, never by
 * chance. A weight pruned earlier stays pruned (its score counts as −∞), so masks only ever grow.
 */
export function selectWeights(layers: readonly LayerScores[], rules: SelectionRules): LayerSelection[] {
  const effective = layers.map(effectiveScores);
  const caps = layers.map((l) => maxPrunable(l.scores.length, rules));
  const already = layers.map((l) => countOnes(l.alreadyPruned));
  let counts: number[];
  if (rules.target.kind === 'threshold') {
    const theta = rules.target.value;
    counts = effective.map((e, i) => Math.min(countBelow(e, theta), caps[i]!));
  } else if (rules.scope === 'layer') {
    const s = rules.target.value;
    counts = layers.map((l, i) => Math.min(Math.round(s * l.scores.length), caps[i]!));
  } else {
    const total = layers.reduce((a, l) => a + l.scores.length, 0);
    const ranked =
      rules.normalization === 'l2'
        ? effective.map(l2Normalized)
        : rules.normalization === 'mean'
          ? effective.map(meanNormalized)
          : rules.normalization === 'lamp'
            ? effective.map(lampNormalized)
            : effective;
    counts = globalCounts(ranked, caps, Math.round(rules.target.value * total));
  }
  return layers.map((layer, i) => {
    const count = Math.max(counts[i]!, already[i]!);
    const keep = keepAllButLowest(effective[i]!, count);
    const threshold =
      rules.target.kind === 'threshold' ? rules.target.value : highestPrunedScore(layer.scores, keep);
    return { key: layer.key, keep, pruned: count, threshold };
  });
}

/**
 * A layer's scores divided by their L2 norm (over the weights not pruned yet; −∞ for pruned ones stays
 * −∞). All-zero scores stay zero. Dividing by a positive number keeps the order within the layer.
 */
export function l2Normalized(scores: Float32Array): Float32Array {
  let sumSquares = 0;
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i]!;
    if (Number.isFinite(v)) sumSquares += v * v;
  }
  const norm = Math.sqrt(sumSquares);
  if (!(norm > 0)) return scores;
  return scores.map((v) => v / norm);
}

/**
 * A layer's scores divided by their mean (over the weights or units not pruned yet; −∞ stays −∞): a unit
 * as important as its layer's average scores 1, however many units the layer has. L2 normalisation
 * would give a layer of n equal units 1/√n each, so a global ranking would empty the widest layer first.
 */
export function meanNormalized(scores: Float32Array): Float32Array {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i]!;
    if (Number.isFinite(v)) {
      sum += v;
      n += 1;
    }
  }
  const mean = n === 0 ? 0 : sum / n;
  if (!(mean > 0)) return scores;
  return scores.map((v) => v / mean);
}

/**
 * LAMP's rescaling (Lee et al. 2021) applied to any non-negative score: s² ÷ Σ s'² over the layer's
 * unpruned scores at least as large. Each layer's best scores 1, so a global ranking cannot empty a layer;
 * within a layer the order is the score's. Pruned entries (−∞) stay −∞.
 */
export function lampNormalized(scores: Float32Array): Float32Array {
  const live = Array.from({ length: scores.length }, (_, i) => i).filter((i) => Number.isFinite(scores[i]!));
  live.sort((a, b) => scores[a]! - scores[b]! || a - b);
  const out = new Float32Array(scores.length).fill(Number.NEGATIVE_INFINITY);
  let tail = 0;
  for (let r = live.length - 1; r >= 0; r--) {
    const i = live[r]!;
    const square = scores[i]! * scores[i]!;
    tail += square;
    out[i] = tail > 0 ? square / tail : 0;
  }
  return out;
}

function maxPrunable(n: number, rules: SelectionRules): number {
  const floorApplies = rules.scope === 'global' || rules.target.kind === 'threshold';
  const minKept = floorApplies ? Math.max(1, Math.ceil(rules.minKeptFraction * n)) : 1;
  return Math.max(0, n - minKept);
}

function effectiveScores(layer: LayerScores): Float32Array {
  const e = Float32Array.from(layer.scores);
  for (let i = 0; i < e.length; i++) {
    if (Number.isNaN(e[i]!)) {
      throw new Error(`Saliency of ${layer.key} contains NaN: the loss diverged; lower the learning rate.`);
    }
    if (layer.alreadyPruned?.[i]) e[i] = -Infinity;
  }
  return e;
}

function countOnes(a: Uint8Array | null | undefined): number {
  let n = 0;
  if (a) for (let i = 0; i < a.length; i++) n += a[i]! ? 1 : 0;
  return n;
}

function countBelow(e: Float32Array, theta: number): number {
  let n = 0;
  for (let i = 0; i < e.length; i++) if (e[i]! < theta) n++;
  return n;
}

/** Keeps everything except exactly `count` lowest scores; among equal scores the earlier index goes first. */
export function keepAllButLowest(e: Float32Array, count: number): Uint8Array {
  const keep = new Uint8Array(e.length).fill(1);
  if (count <= 0) return keep;
  if (count >= e.length) return keep.fill(0);
  const cut = Float32Array.from(e).sort()[count - 1]!;
  let left = count;
  for (let i = 0; i < e.length && left > 0; i++) {
    if (e[i]! < cut) {
      keep[i] = 0;
      left--;
    }
  }
  for (let i = 0; i < e.length && left > 0; i++) {
    if (e[i] === cut) {
      keep[i] = 0;
      left--;
    }
  }
  return keep;
}

function highestPrunedScore(scores: Float32Array, keep: Uint8Array): number {
  let best = -Infinity;
  for (let i = 0; i < scores.length; i++) if (!keep[i] && scores[i]! > best) best = scores[i]!;
  return best === -Infinity ? 0 : best;
}

/**
 * How many weights each layer loses when `total` go by one global ranking, no layer giving up more than
 * its cap. Greedy water-filling: rank everything; layers that would exceed their cap are fixed at the cap
 * and the rest is ranked again among the remaining layers — the same result as taking the lowest scores
 * one by one while skipping layers at their floor.
 */
function globalCounts(effective: Float32Array[], caps: number[], total: number): number[] {
  const counts = effective.map(() => 0);
  let open = effective.map((_, i) => i);
  let remaining = Math.min(
    total,
    caps.reduce((a, b) => a + b, 0),
  );
  while (remaining > 0 && open.length > 0) {
    const tentative = rankAcross(
      open.map((i) => effective[i]!),
      remaining,
    );
    const over = open.filter((i, j) => tentative[j]! > caps[i]!);
    if (over.length === 0) {
      open.forEach((i, j) => (counts[i] = tentative[j]!));
      break;
    }
    for (const i of over) {
      counts[i] = caps[i]!;
      remaining -= caps[i]!;
    }
    open = open.filter((i) => !over.includes(i));
  }
  return counts;
}

/** Per layer, how many of the `take` lowest scores across all the layers it holds (ties in layer order). */
function rankAcross(layers: Float32Array[], take: number): number[] {
  const size = layers.reduce((a, l) => a + l.length, 0);
  const merged = new Float32Array(size);
  let offset = 0;
  for (const l of layers) {
    merged.set(l, offset);
    offset += l.length;
  }
  const cut = merged.sort()[Math.min(take, size) - 1]!;
  const below = layers.map((l) => countBelow(l, cut));
  let ties = take - below.reduce((a, b) => a + b, 0);
  return layers.map((l, i) => {
    let equal = 0;
    for (let k = 0; k < l.length; k++) if (l[k] === cut) equal++;
    const used = Math.min(equal, ties);
    ties -= used;
    return below[i]! + used;
  });
}
