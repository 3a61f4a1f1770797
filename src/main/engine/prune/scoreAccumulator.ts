import * as tf from '@tensorflow/tfjs';
import type { Criterion } from '../../../shared/dto';
import type { PrunableKernel } from './prunableKernels';
import type { SaliencyScores } from './saliency';
import type { NamedTensor } from '../train/trainTypes';

/**
 * Scores gathered from the gradients training computes anyway (the original PruneLab idea done right:
 * compute gradients while training, zero the weights whose scores are small, keep training):
 * - taylor    exponential average of |w·g| over steps (as SNIP's saliency, smoothed like a momentum)
 * - gradient  exponential average of |g|
 * - fisher    ½·w²·(exponential average of g²) — Optimal Brain Damage with a running Fisher diagonal
 *             (mini-batch gradients: E[ḡ²] = E[g]² + Var[g]/B, which ranks like the per-example Fisher
 *             once training has settled and E[g] ≈ 0)
 * - movement  −Σ w·g since the accumulator started (Sanh et al. 2020): weights training pushes away
 *             from zero score high
 * Averages are bias-corrected (÷ (1 − βᵗ)), so early scores are not pulled towards zero.
 */
export interface ScoreAccumulator {
  /** one training step's gradients for the model's trainable variables (the loop's gradients hook) */
  observe(grads: readonly tf.Tensor[], variables: readonly tf.Variable[]): void;
  /** steps observed so far */
  readonly steps: number;
  /** current scores per kernel (read back from the device) */
  scores(): SaliencyScores;
  /** the running state by kernel key, for a checkpoint (the accumulator keeps owning the tensors) */
  state(): NamedTensor[];
  /** continues from a checkpoint's state after `steps` observed steps; the caller keeps `saved` */
  restore(steps: number, saved: ReadonlyMap<string, tf.Tensor>): void;
  dispose(): void;
}

/** β of the exponential averages: a window of about 1/(1 − β) = 100 steps (chosen on validation data). */
export const ACCUMULATOR_BETA = 0.99;

export function createScoreAccumulator(
  kernels: readonly PrunableKernel[],
  criterion: Criterion,
  beta = ACCUMULATOR_BETA,
): ScoreAccumulator {
  if (!['taylor', 'gradient', 'fisher', 'movement'].includes(criterion)) {
    throw new Error(`${criterion} scores cannot be accumulated over training steps.`);
  }
  const names = kernels.map((k) => (k.variable.read() as tf.Variable).name);
  // tidy frees the zeros the variables were made from; the variables keep their data
  const state = kernels.map((k) => tf.tidy(() => tf.variable(tf.zeros(k.shape), false)));
  let steps = 0;

  const term = (w: tf.Tensor, g: tf.Tensor): tf.Tensor => {
    if (criterion === 'taylor') return tf.abs(tf.mul(w, g));
    if (criterion === 'gradient') return tf.abs(g);
    if (criterion === 'fisher') return tf.square(g);
    return tf.neg(tf.mul(w, g));
  };

  return {
    get steps() {
      return steps;
    },
    observe(grads, variables) {
      const byName = new Map(variables.map((v, i) => [v.name, i]));
      tf.tidy(() => {
        names.forEach((name, k) => {
          const i = byName.get(name);
          if (i === undefined) throw new Error(`No gradient for ${kernels[k]!.key}.`);
          const x = term(variables[i]!, grads[i]!);
          const s = state[k]!;
          s.assign(criterion === 'movement' ? tf.add(s, x) : tf.add(tf.mul(s, beta), tf.mul(x, 1 - beta)));
        });
      });
      steps += 1;
    },
    scores() {
      if (steps === 0) throw new Error('No training step observed yet: nothing to score.');
      const correction = criterion === 'movement' ? 1 : 1 - Math.pow(beta, steps);
      const scores: SaliencyScores = new Map();
      kernels.forEach((k, i) => {
        const t = tf.tidy(() => {
          const average = tf.div(state[i]!, correction);
          return criterion === 'fisher'
            ? tf.mul(tf.mul(tf.square(k.variable.read()), 0.5), average)
            : average;
        });
        scores.set(k.key, t.dataSync() as Float32Array);
        t.dispose();
      });
      return scores;
    },
    state() {
      return kernels.map((k, i) => ({ name: k.key, tensor: state[i]! }));
    },
    restore(observed, saved) {
      kernels.forEach((k, i) => {
        const t = saved.get(k.key);
        if (!t || t.shape.join() !== k.shape.join())
          throw new Error(`The checkpoint holds no accumulated scores for ${k.key}.`);
        state[i]!.assign(t);
      });
      steps = observed;
    },
    dispose() {
      for (const s of state) s.dispose();
    },
  };
}
