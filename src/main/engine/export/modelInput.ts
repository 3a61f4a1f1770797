import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../types';

/** How stored uint8 pixels become model input: input = pixel / divisor + offset. */
export interface PixelScaling {
  divisor: number;
  offset: number;
  formula: string;
}

// Must match what training feeds the model (train/batches.ts divides by 255); recorded in
// metadata.json for every consumer. A division, not a multiplication by 1/255: the last bit matters
// for a 1e-4 parity check.
export const PIXEL_SCALING: PixelScaling = {
  divisor: 255,
  offset: 0,
  formula: 'input = pixel / 255 (pixel in 0…255)',
};

/** The first `count` images of a set as float32 NHWC model input. */
export function imagesAsModelInput(set: ImageSet, count: number): Float32Array {
  const n = Math.min(count, set.count);
  const perImage = set.height * set.width * set.channels;
  const out = new Float32Array(n * perImage);
  for (let i = 0; i < out.length; i++)
    out[i] = (set.images[i] as number) / PIXEL_SCALING.divisor + PIXEL_SCALING.offset;
  return out;
}

/** The in-app logits: the model as the app holds it, on this process's tfjs backend. */
export function predictLogits(
  model: tf.LayersModel,
  images: Float32Array,
  shape: [number, number, number],
  batchSize = 100,
): Float32Array {
  const [h, w, c] = shape;
  const perImage = h * w * c;
  const count = images.length / perImage;
  const chunks: Float32Array[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const logits = tf.tidy(() => {
      const batch = tf.tensor4d(images.subarray(start * perImage, (start + n) * perImage), [n, h, w, c]);
      return model.predict(batch) as tf.Tensor;
    });
    chunks.push(logits.dataSync() as Float32Array);
    logits.dispose();
  }
  const out = new Float32Array(chunks.reduce((a, ch) => a + ch.length, 0));
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.length;
  }
  return out;
}
