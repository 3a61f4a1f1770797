import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../types';
import type { Rng } from './rng';

export interface Augmentation {
  /** mirror left–right with probability ½ */
  flip: boolean;
  /** translate by up to this many pixels in each direction, filling with zeros */
  shiftPixels: number;
}

/**
 * Builds one batch as tensors straight from the uint8 image buffer: pixels scaled to [0, 1], labels one-hot.
 * Augmentation happens while copying (no extra tensors) and draws from `rng` in a fixed order, so the
 * same generator state always yields the same batch.
 */
export function makeBatch(
  set: ImageSet,
  indices: ArrayLike<number>,
  classes: number,
  augment?: { options: Augmentation; rng: Rng },
): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const { height: h, width: w, channels: c } = set;
  const pixels = h * w * c;
  const n = indices.length;
  const x = new Float32Array(n * pixels);
  const y = new Float32Array(n * classes);
  for (let b = 0; b < n; b++) {
    const index = indices[b]!;
    const label = set.labels[index]!;
    if (label >= classes)
      throw new Error(`Image ${index} has label ${label}, but the model has ${classes} classes.`);
    y[b * classes + label] = 1;
    const src = index * pixels;
    const dst = b * pixels;
    const flip = augment?.options.flip ? augment.rng.next() < 0.5 : false;
    const s = augment?.options.shiftPixels ?? 0;
    const dy = s > 0 ? augment!.rng.nextInt(2 * s + 1) - s : 0;
    const dx = s > 0 ? augment!.rng.nextInt(2 * s + 1) - s : 0;
    if (!flip && dx === 0 && dy === 0) {
      for (let i = 0; i < pixels; i++) x[dst + i] = set.images[src + i]! / 255;
      continue;
    }
    for (let row = 0; row < h; row++) {
      const fromRow = row - dy;
      if (fromRow < 0 || fromRow >= h) continue; // zero fill
      for (let col = 0; col < w; col++) {
        const shifted = col - dx;
        if (shifted < 0 || shifted >= w) continue;
        const fromCol = flip ? w - 1 - shifted : shifted;
        const from = src + (fromRow * w + fromCol) * c;
        const to = dst + (row * w + col) * c;
        for (let k = 0; k < c; k++) x[to + k] = set.images[from + k]! / 255;
      }
    }
  }
  return { x: tf.tensor4d(x, [n, h, w, c]), y: tf.tensor2d(y, [n, classes]) };
}

/** Consecutive index ranges [start, end) covering 0…count−1 in batches (the last may be smaller). */
export function* batchRanges(count: number, batchSize: number): Generator<[number, number]> {
  for (let start = 0; start < count; start += batchSize) yield [start, Math.min(count, start + batchSize)];
}
