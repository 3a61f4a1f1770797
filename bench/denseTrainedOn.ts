// The reference a pruned model's "Δ from dense" leaves out: the dense model trained on for the same budget
// at the same rate as the default gradual fine-tune (its starting scale, cosine decay), with nothing pruned.
// A pruned model that ends above the 5-epoch dense model may owe that to the two extra epochs; this row
// says how much of it they alone give.
import type * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../src/main/engine/types';
import { createPreset } from '../src/main/engine/models';
import { measureOn } from '../src/main/engine/prune/sensitivity';
import { trainModel } from '../src/main/engine/train/trainLoop';
import { defaultLrScale, defaultLrSchedule } from '../src/shared/scheduleRule';
import { benchTrainConfig } from './pruneCell';

export interface DenseTrainedOnInput {
  denseWeights: tf.Tensor[];
  seed: number;
  train: ImageSet;
  test: ImageSet;
  epochs: number;
}

/** Test accuracy of the seed's dense model after `epochs` more epochs at the default gradual fine-tune rate. */
export async function denseTrainedOn(input: DenseTrainedOnInput): Promise<number> {
  const model = createPreset('keras-cifar-cnn', { inputShape: [28, 28, 1], classes: 10, seed: input.seed });
  try {
    model.setWeights(input.denseWeights);
    const gradual = { schedule: { kind: 'gradual' as const } };
    const base = benchTrainConfig(input.seed, input.epochs);
    await trainModel({
      model,
      train: input.train,
      classes: 10,
      config: {
        ...base,
        learningRate: base.learningRate * defaultLrScale(gradual),
        lrSchedule: defaultLrSchedule(gradual),
      },
    });
    return (await measureOn(model, input.test, 10)).accuracy;
  } finally {
    model.dispose();
  }
}
