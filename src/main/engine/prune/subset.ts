import { createRng, shuffledIndices } from '../train/rng';
import type { ImageSet } from '../types';

/** A seeded random subset of `count` images (all of them when the set is smaller), copied out. */
export function imageSubset(set: ImageSet, count: number, seed: number): ImageSet {
  if (count >= set.count) return set;
  const order = shuffledIndices(set.count, createRng(seed ^ 0x5eb5e7)).subarray(0, count);
  const pixels = set.height * set.width * set.channels;
  const images = new Uint8Array(count * pixels);
  const labels = new Uint16Array(count);
  order.forEach((from, to) => {
    images.set(set.images.subarray(from * pixels, (from + 1) * pixels), to * pixels);
    labels[to] = set.labels[from]!;
  });
  return { images, labels, count, height: set.height, width: set.width, channels: set.channels };
}
