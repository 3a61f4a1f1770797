// The model and state checkpointChild.ts saves for an epoch, so a test can tell exactly which epoch a
// checkpoint holds and that every byte of it is right.
import * as tf from '@tensorflow/tfjs';
import { createPreset } from '../../../src/main/engine/models';
import type { ModelMeta, OptimizerState, WeightMasks } from '../../../src/main/engine/train';
import type { LoopState } from '../../../src/main/engine/train/trainTypes';

export const checkpointMeta: ModelMeta = {
  preset: 'lenet5',
  inputShape: [12, 12, 1],
  classes: ['a', 'b', 'c'],
  runId: 'r1',
  output: 'logits',
};

export function checkpointModel(): tf.LayersModel {
  return createPreset('lenet5', { inputShape: [12, 12, 1], classes: 3, seed: 11 });
}

/** The seeded weights plus (epoch - 1), element by element: what a checkpoint of `epoch` holds. */
export function expectedWeights(epoch: number): Float32Array[] {
  const model = checkpointModel();
  const values = model.weights.map((w) => Float32Array.from(w.read().dataSync(), (v) => v + (epoch - 1)));
  model.dispose();
  return values;
}

export function checkpointState(
  model: tf.LayersModel,
  epoch: number,
): {
  model: tf.LayersModel;
  masks: WeightMasks;
  meta: ModelMeta;
  optimizer: OptimizerState;
  loop: LoopState;
} {
  const weights = expectedWeights(epoch);
  model.weights.forEach((w, i) => {
    const values = tf.tensor(weights[i]!, w.shape as number[]);
    w.write(values);
    values.dispose();
  });
  const kernel = model.weights.find((w) => w.originalName.endsWith('/kernel'))!;
  const masks: WeightMasks = new Map([[kernel.originalName, tf.fill(kernel.shape as number[], epoch % 2)]]);
  const optimizer: OptimizerState = {
    name: 'adam',
    step: epoch * 10,
    slots: [0, 1].map((k) => model.weights.map((w) => tf.fill(w.shape as number[], epoch + k))),
  };
  const loop: LoopState = {
    seed: 7,
    epochsCompleted: epoch,
    step: epoch * 10,
    bestValidationLoss: 1 / epoch,
    epochsWithoutImprovement: 0,
    stoppedEarly: false,
    history: [],
  };
  return { model, masks, meta: { ...checkpointMeta, epochsCompleted: epoch }, optimizer, loop };
}
