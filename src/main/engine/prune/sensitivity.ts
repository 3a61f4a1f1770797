import * as tf from '@tensorflow/tfjs';
import type { Criterion, SensitivityCurve } from '../../../shared/dto';
import { predictSet, throwIfAborted } from '../train/evaluate';
import type { ImageSet } from '../types';
import type { CalibrationBatch } from './calibration';
import type { PrunableKernel } from './prunableKernels';
import { computeSaliency } from './saliency';
import { selectWeights } from './selection';

export interface SensitivityInput {
  model: tf.LayersModel;
  kernels: readonly PrunableKernel[];
  criterion: Criterion;
  batches: readonly CalibrationBatch[];
  seed: number;
  /** e.g. [0, 0.05, …, 0.95] */
  sparsities: readonly number[];
  /** the validation subset every point is measured on */
  set: ImageSet;
  classes: number;
  signal?: AbortSignal;
  onCurve?: (curve: SensitivityCurve) => void;
  onProgress?: (done: number, total: number) => void;
}

/** Accuracy and mean loss of the model on a set — the one measurement sensitivity and real prunes share. */
export async function measureOn(
  model: tf.LayersModel,
  set: ImageSet,
  classes: number,
  signal?: AbortSignal,
): Promise<{ accuracy: number; loss: number }> {
  const p = await predictSet(model, set, classes, { batchSize: 256, signal });
  let right = 0;
  for (let i = 0; i < set.count; i++) if (p.predicted[i] === set.labels[i]) right++;
  return {
    accuracy: set.count === 0 ? 0 : right / set.count,
    loss: set.count === 0 ? 0 : p.lossSum / set.count,
  };
}

/**
 * Prunes one layer at a time to each sparsity (layer scope, same scores and selection as a real prune of
 * that layer alone), measures, and puts the layer's weights back. The model ends as it started.
 */
export async function analyzeSensitivity(input: SensitivityInput): Promise<SensitivityCurve[]> {
  const { model, kernels, criterion, batches, seed, sparsities, set, classes, signal } = input;
  // scores from the dense model, as a real prune of any single layer would compute them
  const scores = computeSaliency(model, kernels, criterion, batches, seed);
  const curves: SensitivityCurve[] = [];
  const total = kernels.length * sparsities.length;
  let done = 0;
  for (const kernel of kernels) {
    const original = tf.clone(kernel.variable.read());
    const curve: SensitivityCurve = { layer: kernel.layerName, sparsities: [], accuracies: [], losses: [] };
    try {
      for (const sparsity of sparsities) {
        throwIfAborted(signal);
        const [selection] = selectWeights([{ key: kernel.key, scores: scores.get(kernel.key)! }], {
          target: { kind: 'sparsity', value: sparsity },
          scope: 'layer',
          minKeptFraction: 0,
        });
        tf.tidy(() => {
          const mask = tf.tensor(Float32Array.from(selection!.keep), kernel.shape);
          kernel.variable.write(tf.mul(original, mask));
        });
        const { accuracy, loss } = await measureOn(model, set, classes, signal);
        curve.sparsities.push(sparsity);
        curve.accuracies.push(accuracy);
        curve.losses.push(loss);
        input.onProgress?.(++done, total);
      }
    } finally {
      kernel.variable.write(original);
      original.dispose();
    }
    curves.push(curve);
    input.onCurve?.(curve);
  }
  return curves;
}
