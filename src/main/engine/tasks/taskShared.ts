// Small pieces the prune and sensitivity tasks share.
import type * as tf from '@tensorflow/tfjs';
import type { EpochResult } from '../train/trainTypes';
import type { DatasetSplits, TaskEvent } from '../types';

/** A clear error when a saved model cannot take this dataset's images or classes. */
export function checkModelFitsData(model: tf.LayersModel, splits: DatasetSplits, modelDir: string): void {
  const [, h, w, c] = model.inputs[0]?.shape ?? [];
  const { height, width, channels } = splits.train;
  if (h !== height || w !== width || c !== channels) {
    throw new Error(
      `The model in ${modelDir} takes ${h}×${w}×${c} images but the dataset has ${height}×${width}×${channels}.`,
    );
  }
  const outputs = model.outputs[0]?.shape[1];
  if (outputs !== splits.classes.length) {
    throw new Error(
      `The model in ${modelDir} has ${outputs} outputs but the dataset has ${splits.classes.length} classes.`,
    );
  }
}

export function epochEvent(result: EpochResult, phase: 'train' | 'finetune'): TaskEvent {
  const values: Extract<TaskEvent, { type: 'epoch' }>['values'] = [
    { split: 'train', name: 'loss', value: result.trainLoss },
    { split: 'train', name: 'accuracy', value: result.trainAccuracy },
  ];
  if (result.validationLoss !== null)
    values.push({ split: 'validation', name: 'loss', value: result.validationLoss });
  if (result.validationAccuracy !== null) {
    values.push({ split: 'validation', name: 'accuracy', value: result.validationAccuracy });
  }
  return { type: 'epoch', epoch: result.epoch, phase, values };
}
