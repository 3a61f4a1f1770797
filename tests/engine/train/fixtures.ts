import type * as tf from '@tensorflow/tfjs';
import type { PresetName } from '../../../src/shared/dto';
import { getPreset } from '../../../src/main/engine/models';
import type { TrainLoopConfig } from '../../../src/main/engine/train';
import { syntheticImageSet } from '../../../src/main/engine/train/syntheticImages';
import type { ImageSet } from '../../../src/main/engine/types';

// The CPU is shared and tfjs's cpu backend computes convolution gradients in plain JS loops: every
// preset trains on the smallest images it accepts, with a handful of them.
export const classes = 3;
export const classNames = ['a', 'b', 'c'];

export function smallSet(size: number, count: number, seed: number): ImageSet {
  return syntheticImageSet({ count, height: size, width: size, channels: 1, classes, seed });
}

export function presetData(preset: PresetName): { size: number; train: ImageSet; validation: ImageSet } {
  const size = Math.max(8, getPreset(preset).minInputSize);
  return { size, train: smallSet(size, 18, 1), validation: smallSet(size, 9, 2) };
}

export const baseConfig: TrainLoopConfig = {
  epochs: 3,
  batchSize: 6,
  learningRate: 0.005,
  optimizer: 'adam',
  momentum: 0.9,
  augment: { flip: true, shiftPixels: 1 },
  earlyStoppingPatience: 0,
  seed: 7,
};

export function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}
