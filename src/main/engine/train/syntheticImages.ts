import type { ImageSet } from '../types';
import { createRng } from './rng';

/**
 * A seeded, learnable stand-in for a real dataset (tests, benchmarks): each class is a bright square
 * at its own place on a noisy background, jittered by a pixel or two, so a small CNN can learn it.
 */
export function syntheticImageSet(options: {
  count: number;
  height: number;
  width: number;
  channels: number;
  classes: number;
  seed: number;
}): ImageSet {
  const { count, height, width, channels, classes, seed } = options;
  const rng = createRng(seed);
  const pixels = height * width * channels;
  const images = new Uint8Array(count * pixels);
  const labels = new Uint16Array(count);
  const side = Math.max(2, Math.floor(Math.min(height, width) / 3));
  const cols = Math.ceil(Math.sqrt(classes));
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    labels[i] = label;
    const top = Math.floor(((Math.floor(label / cols) + 0.5) * (height - side)) / cols) + rng.nextInt(3) - 1;
    const left = Math.floor((((label % cols) + 0.5) * (width - side)) / cols) + rng.nextInt(3) - 1;
    for (let p = 0; p < pixels; p++) images[i * pixels + p] = rng.nextInt(64);
    for (let r = Math.max(0, top); r < Math.min(height, top + side); r++) {
      for (let c = Math.max(0, left); c < Math.min(width, left + side); c++) {
        for (let k = 0; k < channels; k++)
          images[i * pixels + (r * width + c) * channels + k] = 160 + rng.nextInt(96);
      }
    }
  }
  return { images, labels, count, height, width, channels };
}
