import * as tf from '@tensorflow/tfjs';
import type { Criterion } from '../../../shared/dto';
import { createRng } from '../train/rng';
import type { CalibrationBatch } from './calibration';
import type { PrunableKernel } from './prunableKernels';

/** One score per kernel weight, in the kernel's own memory order; low score = pruned first. */
export type SaliencyScores = Map<string, Float32Array>;

/**
 * Scores every weight of `kernels` by the criterion:
 * - taylor    mean over batches of |w · ∂L/∂w| (first-order estimate of the loss change on removal)
 * - gradient  mean over batches of |∂L/∂w|
 * - magnitude |w|
 * - random    seeded uniform in [0, 1)
 * Gradients come from the model in inference mode, so no weight and no batch-norm statistic changes.
 */
export function computeSaliency(
  model: tf.LayersModel,
  kernels: readonly PrunableKernel[],
  criterion: Criterion,
  batches: readonly CalibrationBatch[],
  seed: number,
): SaliencyScores {
  if (criterion === 'random') return randomScores(kernels, seed);
  if (criterion === 'magnitude') {
    return new Map(
      kernels.map((k) => [k.key, tf.tidy(() => tf.abs(k.variable.read()).dataSync() as Float32Array)]),
    );
  }
  if (batches.length === 0)
    throw new Error(`The ${criterion} criterion needs at least one calibration batch.`);
  const variables = kernels.map((k) => k.variable.read() as tf.Variable);
  let sums = kernels.map((k) => tf.zeros(k.shape));
  for (const batch of batches) {
    const next = tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(batch.y, model.apply(batch.x) as tf.Tensor) as tf.Scalar,
        variables,
      );
      return variables.map((v, i) => {
        const g = grads[v.name]!;
        const term = criterion === 'taylor' ? tf.abs(tf.mul(v, g)) : tf.abs(g);
        return tf.add(sums[i]!, term);
      });
    });
    tf.dispose(sums);
    sums = next;
  }
  const scores: SaliencyScores = new Map();
  kernels.forEach((k, i) => {
    const mean = tf.tidy(() => tf.div(sums[i]!, batches.length));
    scores.set(k.key, mean.dataSync() as Float32Array);
    mean.dispose();
  });
  tf.dispose(sums);
  return scores;
}

/**
 * Whether a global ranking must compare this criterion's scores per-layer-normalised: taylor and
 * gradient scores scale with each layer's gradients (its depth, fan-in, weight sharing), so raw they are
 * not comparable across layers. magnitude and random keep their textbook global ranking (Han et al.).
 */
export function criterionNeedsLayerNormalization(criterion: Criterion): boolean {
  return criterion === 'taylor' || criterion === 'gradient';
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
