import * as tf from '@tensorflow/tfjs';
import { layerSeed } from './seeds';
import type { PresetDefinition, PresetOptions } from './presetTypes';

/**
 * LeNet-5 in its modern form (ReLU, max-pool): conv 6·5×5 'same' → pool → conv 16·5×5 → pool →
 * dense 120 → dense 84 → logits.
 */
export function createLenet5({ inputShape, classes, seed }: PresetOptions): tf.Sequential {
  const glorot = (i: number) => tf.initializers.glorotUniform({ seed: layerSeed(seed, i) });
  return tf.sequential({
    name: 'lenet5',
    layers: [
      tf.layers.conv2d({
        name: 'conv1',
        inputShape: [...inputShape],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: glorot(0),
      }),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tf.layers.conv2d({
        name: 'conv2',
        filters: 16,
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: glorot(1),
      }),
      tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'dense1', units: 120, activation: 'relu', kernelInitializer: glorot(2) }),
      tf.layers.dense({ name: 'dense2', units: 84, activation: 'relu', kernelInitializer: glorot(3) }),
      tf.layers.dense({ name: 'logits', units: classes, kernelInitializer: glorot(4) }),
    ],
  });
}

export const lenet5Preset: PresetDefinition = {
  name: 'lenet5',
  description:
    'LeNet-5 (ReLU, max-pool): conv 6·5×5 → pool → conv 16·5×5 → pool → dense 120 → dense 84 → logits.',
  // 12 → conv(same) 12 → pool 6 → conv 2 → pool 1
  minInputSize: 12,
  build: createLenet5,
};
