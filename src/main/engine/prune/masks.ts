import * as tf from '@tensorflow/tfjs';
import { weightKey, type WeightMasks } from '../train/modelState';
import type { PrunableKernel } from './prunableKernels';
import type { LayerSelection } from './selection';

/** One float32 0/1 tensor per pruned kernel, shaped like the kernel, keyed by the kernel's originalName. */
export type { WeightMasks } from '../train/modelState';

export function masksFromSelection(
  kernels: readonly PrunableKernel[],
  selections: readonly LayerSelection[],
): WeightMasks {
  const masks: WeightMasks = new Map();
  for (const s of selections) {
    const kernel = kernels.find((k) => k.key === s.key);
    if (!kernel) throw new Error(`No kernel ${s.key} to mask.`);
    masks.set(s.key, tf.tensor(Float32Array.from(s.keep), kernel.shape, 'float32'));
  }
  return masks;
}

/**
 * Zeroes every masked weight in place. Called after every optimizer step: Adam's moments and SGD's
 * velocity keep pushing pruned weights, and only re-applying the mask keeps them exactly zero.
 */
export function applyMasks(model: tf.LayersModel, masks: WeightMasks): void {
  if (masks.size === 0) return;
  tf.tidy(() => {
    for (const weight of model.weights) {
      const mask = masks.get(weightKey(weight));
      if (mask) weight.write(tf.mul(weight.read(), mask));
    }
  });
}

/** 1 = pruned, per weight in memory order; null when the kernel has no mask yet. */
export function prunedFlags(masks: WeightMasks, key: string): Uint8Array | null {
  const mask = masks.get(key);
  if (!mask) return null;
  const values = mask.dataSync();
  const flags = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) flags[i] = values[i] === 0 ? 1 : 0;
  return flags;
}

/** Weights the masks say are pruned but that are not exactly zero — must always be 0. */
export function countRevivedWeights(model: tf.LayersModel, masks: WeightMasks): number {
  let revived = 0;
  for (const weight of model.weights) {
    const mask = masks.get(weightKey(weight));
    if (!mask) continue;
    const n = tf.tidy(() => tf.sum(tf.logicalAnd(tf.equal(mask, 0), tf.notEqual(weight.read(), 0)).toInt()));
    revived += n.dataSync()[0]!;
    n.dispose();
  }
  return revived;
}

export function disposeMasks(masks: WeightMasks | null | undefined): void {
  if (masks) for (const m of masks.values()) m.dispose();
}

/** Replaces `target`'s contents with `next`, disposing what it held (the loop reads masks by reference). */
export function replaceMasks(target: WeightMasks, next: WeightMasks): void {
  for (const [key, old] of target) if (next.get(key) !== old) old.dispose();
  target.clear();
  for (const [key, m] of next) target.set(key, m);
}
