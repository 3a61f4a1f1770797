import * as tf from '@tensorflow/tfjs';
import { criteria } from '../../../shared/criteria';
import type { Criterion } from '../../../shared/dto';
import { createRng } from '../train/rng';
import type { CalibrationBatch } from './calibration';
import type { PrunableKernel } from './prunableKernels';
import type { LayerNormalization } from './selection';

/** One score per kernel weight, in the kernel's own memory order; low score = pruned first. */
export type SaliencyScores = Map<string, Float32Array>;

/**
 * Scores every weight of `kernels` by the criterion, on calibration batches (see shared/criteria.ts):
 * - fisher    ½·w²·mean over images of (∂L/∂w)², per-example gradients (Optimal Brain Damage with the
 *             empirical Fisher diagonal as the Hessian)
 * - taylor    mean over batches of |w · ∂L/∂w| (first-order estimate of the loss change on removal)
 * - gradient  mean over batches of |∂L/∂w|
 * - magnitude |w|;  lamp  w² / Σ of w'² over the layer's weights at least as large (Lee et al. 2021)
 * - random    seeded uniform in [0, 1)
 * Gradients come from the model in inference mode, so no weight and no batch-norm statistic changes.
 * `movement` exists only accumulated over training steps (scoreAccumulator.ts).
 */
export function computeSaliency(
  model: tf.LayersModel,
  kernels: readonly PrunableKernel[],
  criterion: Criterion,
  batches: readonly CalibrationBatch[],
  seed: number,
): SaliencyScores {
  if (criterion === 'random') return randomScores(kernels, seed);
  if (criterion === 'magnitude') return readScores(kernels, (w) => tf.abs(w));
  if (criterion === 'lamp') {
    return new Map(kernels.map((k) => [k.key, lampScores(k.variable.read().dataSync() as Float32Array)]));
  }
  if (criterion === 'movement') {
    throw new Error(
      'movement scores are accumulated while training: use the gradual schedule with accumulated scoring.',
    );
  }
  if (batches.length === 0)
    throw new Error(`The ${criterion} criterion needs at least one calibration batch.`);
  if (criterion === 'fisher') return fisherScores(model, kernels, batches);
  const variables = kernels.map((k) => k.variable.read() as tf.Variable);
  const sums = accumulateOverBatches(model, variables, batches, (v, g) =>
    criterion === 'taylor' ? tf.abs(tf.mul(v, g)) : tf.abs(g),
  );
  return meanScores(kernels, sums, batches.length);
}

/**
 * ½·w²·E[g²] with g the gradient of ONE image's loss: the mean of per-example squared gradients is the
 * empirical Fisher diagonal, while the square of a batch's mean gradient would mostly measure how the
 * batch's gradients cancel. One backward pass per calibration image (1,024 by default: seconds on wasm).
 */
function fisherScores(
  model: tf.LayersModel,
  kernels: readonly PrunableKernel[],
  batches: readonly CalibrationBatch[],
): SaliencyScores {
  const variables = kernels.map((k) => k.variable.read() as tf.Variable);
  const images = batches.flatMap((b) =>
    Array.from({ length: b.x.shape[0] }, (_, i) => ({ x: b.x, y: b.y, i })),
  );
  let sums = kernels.map((k) => tf.zeros(k.shape));
  for (const { x, y, i } of images) {
    const next = tf.tidy(() => {
      const xi = firstAxisSlice(x, i);
      const yi = firstAxisSlice(y, i);
      const { grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(yi, model.apply(xi) as tf.Tensor) as tf.Scalar,
        variables,
      );
      return variables.map((v, k) => tf.add(sums[k]!, tf.square(grads[v.name]!)));
    });
    tf.dispose(sums);
    sums = next;
  }
  const scores: SaliencyScores = new Map();
  kernels.forEach((k, i) => {
    const score = tf.tidy(() =>
      tf.mul(tf.mul(tf.square(variables[i]!), 0.5), tf.div(sums[i]!, images.length)),
    );
    scores.set(k.key, score.dataSync() as Float32Array);
    score.dispose();
  });
  tf.dispose(sums);
  return scores;
}

/** Item i of a batch, keeping the batch axis (whatever the rank). */
function firstAxisSlice(t: tf.Tensor, i: number): tf.Tensor {
  return tf.slice(t, [i, ...t.shape.slice(1).map(() => 0)], [1, ...t.shape.slice(1).map(() => -1)]);
}

/** Σ over batches of term(w, ∂L_batch/∂w), one tensor per variable (the caller disposes them). */
function accumulateOverBatches(
  model: tf.LayersModel,
  variables: tf.Variable[],
  batches: readonly CalibrationBatch[],
  term: (v: tf.Tensor, g: tf.Tensor) => tf.Tensor,
): tf.Tensor[] {
  let sums = variables.map((v) => tf.zerosLike(v) as tf.Tensor);
  for (const batch of batches) {
    const next = tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(batch.y, model.apply(batch.x) as tf.Tensor) as tf.Scalar,
        variables,
      );
      return variables.map((v, i) => tf.add(sums[i]!, term(v, grads[v.name]!)));
    });
    tf.dispose(sums);
    sums = next;
  }
  return sums;
}

/** sums / count per kernel, read back; disposes `sums`. */
function meanScores(kernels: readonly PrunableKernel[], sums: tf.Tensor[], count: number): SaliencyScores {
  const scores: SaliencyScores = new Map();
  kernels.forEach((k, i) => {
    const mean = tf.tidy(() => tf.div(sums[i]!, count));
    scores.set(k.key, mean.dataSync() as Float32Array);
    mean.dispose();
  });
  tf.dispose(sums);
  return scores;
}

function readScores(kernels: readonly PrunableKernel[], f: (w: tf.Tensor) => tf.Tensor): SaliencyScores {
  return new Map(kernels.map((k) => [k.key, tf.tidy(() => f(k.variable.read()).dataSync() as Float32Array)]));
}

/**
 * LAMP (Lee et al. 2021): w_u² divided by the sum of w_v² over every weight v of the layer at least as
 * large as u (u included, ties in memory order). A layer's largest weight scores 1, so a global ranking
 * never empties a layer, and within a layer the order is magnitude's.
 */
export function lampScores(weights: Float32Array): Float32Array {
  const n = weights.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => weights[a]! * weights[a]! - weights[b]! * weights[b]! || a - b,
  );
  const scores = new Float32Array(n);
  let tail = 0; // float64: the sum of squares of every weight at or after this position in `order`
  for (let r = n - 1; r >= 0; r--) {
    const i = order[r]!;
    const square = weights[i]! * weights[i]!;
    tail += square;
    scores[i] = tail > 0 ? square / tail : 0;
  }
  return scores;
}

/**
 * How a global ranking puts this criterion's scores from different layers on one scale:
 * - weights: `l2` (each layer's scores ÷ their L2 norm, Molchanov et al. 2017) for taylor, gradient and
 *   movement, whose scale follows each layer's gradients (depth, fan-in, weight sharing) rather than
 *   importance; raw for fisher (a loss change, comparable across layers by construction), magnitude
 *   (Han et al.'s textbook ranking), lamp (normalised by definition) and random;
 * - units (structured): `mean` for every criterion but lamp and random — a unit's summed score grows
 *   with its fan-in (a first conv filter sums 9 weights, the next 288), and L2 would give a layer of n
 *   equal units 1/√n each, emptying the widest layer first.
 */
export function layerNormalization(
  criterion: Criterion,
  granularity: 'unstructured' | 'structured' = 'unstructured',
): LayerNormalization {
  if (criterion === 'lamp' || criterion === 'random') return 'none';
  if (granularity === 'structured') return 'mean';
  return criteria[criterion].usesGradients && criterion !== 'fisher' ? 'l2' : 'none';
}

/** Seeded per kernel (from its name), so scoring one layer alone draws what scoring all layers draws. */
function randomScores(kernels: readonly PrunableKernel[], seed: number): SaliencyScores {
  return new Map(
    kernels.map((k) => {
      const rng = createRng(seed ^ hashKey(k.key));
      const s = new Float32Array(k.size);
      for (let i = 0; i < s.length; i++) s[i] = rng.next();
      return [k.key, s];
    }),
  );
}

/** FNV-1a of a weight name: a stable per-kernel offset for the random criterion's seed. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
