// Two disjoint parts of one image set, by a seeded shuffle: the benches hold a validation split out of
// Fashion-MNIST's training images, so settings are chosen without ever looking at the test split.
import { createRng, shuffledIndices } from '../src/main/engine/train/rng';
import type { ImageSet } from '../src/main/engine/types';

export function splitOff(
  set: ImageSet,
  count: number,
  seed: number,
): { validation: ImageSet; rest: ImageSet } {
  const order = shuffledIndices(set.count, createRng(seed));
  return { validation: pick(set, order.subarray(0, count)), rest: pick(set, order.subarray(count)) };
}

function pick(set: ImageSet, indices: Uint32Array): ImageSet {
  const pixels = set.height * set.width * set.channels;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint16Array(indices.length);
  indices.forEach((from, to) => {
    images.set(set.images.subarray(from * pixels, (from + 1) * pixels), to * pixels);
    labels[to] = set.labels[from]!;
  });
  return { ...set, images, labels, count: indices.length };
}
