import * as tf from '@tensorflow/tfjs';
import { layerSeed } from './seeds';
import type { PresetDefinition, PresetOptions } from './presetTypes';

/**
 * The Keras CIFAR-10 tutorial network, our reference model: three valid 3×3 convolutions with two
 * max-pools, then a 64-unit dense layer and one logit per class.
 */
export function createKerasCifarCnn({ inputShape, classes, seed }: PresetOptions): tf.Sequential {
  const glorot = (i: number) => tf.initializers.glorotUniform({ seed: layerSeed(seed, i) });
  return tf.sequential({
    name: 'keras-cifar-cnn',
    layers: [
      tf.layers.conv2d({
        name: 'conv1',
        inputShape: [...inputShape],
        filters: 32,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: glorot(0),
      }),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tf.layers.conv2d({
        name: 'conv2',
        filters: 64,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: glorot(1),
      }),
      tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tf.layers.conv2d({
        name: 'conv3',
        filters: 64,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: glorot(2),
      }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'dense1', units: 64, activation: 'relu', kernelInitializer: glorot(3) }),
      tf.layers.dense({ name: 'logits', units: classes, kernelInitializer: glorot(4) }),
    ],
  });
}

export const kerasCifarCnnPreset: PresetDefinition = {
  name: 'keras-cifar-cnn',
  description:
    'The Keras CIFAR-10 tutorial CNN: conv 32·3×3 → pool → conv 64·3×3 → pool → conv 64·3×3 → dense 64 → logits.',
  // 18 → conv 16 → pool 8 → conv 6 → pool 3 → conv 1
  minInputSize: 18,
  build: createKerasCifarCnn,
};
