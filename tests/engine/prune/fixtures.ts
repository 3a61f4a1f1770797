import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { PruneConfig, TrainConfig } from '../../../src/shared/dto';
import { syntheticImageSet } from '../../../src/main/engine/train/syntheticImages';
import type { TrainLoopConfig } from '../../../src/main/engine/train';

export const size = 12;
export const classes = 3;

export const trainSet = syntheticImageSet({
  count: 48,
  height: size,
  width: size,
  channels: 1,
  classes,
  seed: 11,
});
export const validationSet = syntheticImageSet({
  count: 24,
  height: size,
  width: size,
  channels: 1,
  classes,
  seed: 12,
});
export const testSet = syntheticImageSet({
  count: 24,
  height: size,
  width: size,
  channels: 1,
  classes,
  seed: 13,
});
export const classNames = ['a', 'b', 'c'];

/** conv → pool → conv → flatten → dense → dense (logits), optionally with batch norm after each conv. */
export function smallCnn(options: { batchNorm?: boolean; seed?: number } = {}): tf.Sequential {
  const seed = options.seed ?? 1;
  const init = (i: number) => tf.initializers.glorotUniform({ seed: seed * 10 + i });
  const layers: tf.layers.Layer[] = [
    tf.layers.conv2d({
      name: 'c1',
      inputShape: [size, size, 1],
      filters: 6,
      kernelSize: 3,
      activation: options.batchNorm ? 'linear' : 'relu',
      kernelInitializer: init(0),
      biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 100 }),
    }),
  ];
  if (options.batchNorm)
    layers.push(tf.layers.batchNormalization({ name: 'bn1' }), tf.layers.reLU({ name: 'r1' }));
  layers.push(
    tf.layers.maxPooling2d({ name: 'p1', poolSize: 2 }),
    tf.layers.conv2d({
      name: 'c2',
      filters: 8,
      kernelSize: 3,
      activation: options.batchNorm ? 'linear' : 'relu',
      kernelInitializer: init(1),
      biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 101 }),
    }),
  );
  if (options.batchNorm)
    layers.push(tf.layers.batchNormalization({ name: 'bn2' }), tf.layers.reLU({ name: 'r2' }));
  layers.push(
    tf.layers.flatten({ name: 'f' }),
    tf.layers.dense({
      name: 'd1',
      units: 10,
      activation: 'relu',
      kernelInitializer: init(2),
      biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 102 }),
    }),
    tf.layers.dense({ name: 'logits', units: classes, kernelInitializer: init(3) }),
  );
  const model = tf.sequential({ layers });
  if (options.batchNorm) randomiseBatchNorm(model, seed);
  return model;
}

/** Non-trivial batch-norm statistics and affine parameters, so slicing them wrongly would show. */
function randomiseBatchNorm(model: tf.LayersModel, seed: number): void {
  let s = seed;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const values = layer
      .getWeights()
      .map((w, i) =>
        tf.tidy(() =>
          i === 3
            ? tf.randomUniform(w.shape, 0.5, 2, 'float32', s++)
            : tf.randomUniform(w.shape, -0.5, 1.5, 'float32', s++),
        ),
      );
    layer.setWeights(values);
    tf.dispose(values);
  }
}

export const finetuneConfig: TrainLoopConfig = {
  epochs: 1,
  batchSize: 16,
  learningRate: 0.01,
  optimizer: 'adam',
  momentum: 0.9,
  augment: { flip: false, shiftPixels: 0 },
  earlyStoppingPatience: 0,
  seed: 5,
};

export const trainConfig: TrainConfig = { preset: 'lenet5', ...finetuneConfig };

export const basePrune: PruneConfig = {
  criterion: 'taylor',
  target: { kind: 'sparsity', value: 0.8 },
  scope: 'layer',
  minKeptFraction: 0.01,
  schedule: { kind: 'oneshot' },
  granularity: 'unstructured',
  finetuneEpochs: 1,
  finetuneLrSchedule: 'constant',
  scoring: 'calibration',
  calibrationBatches: 2,
  pruneFirstLayer: true,
  pruneLastLayer: true,
};

/** Runs every test of the file on the cpu backend and fails any test that leaves tensors behind. */
export function useCpuAndCheckLeaks(): void {
  let before = 0;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(before);
  });
}

export function kernelValues(model: tf.LayersModel, layer: string): Float32Array {
  return model.getLayer(layer).getWeights()[0]!.dataSync() as Float32Array;
}
