import * as tf from '@tensorflow/tfjs';
import { layerSeed } from './seeds';
import type { PresetDefinition, PresetOptions } from './presetTypes';

/**
 * A small VGG-style network with batch normalisation: two blocks of (conv 3×3 'same' → BN → ReLU) ×2 →
 * max-pool, with 32 then 64 filters, then dense 128 → logits. Convolutions carry no bias because the
 * batch norm that follows has its own shift (beta).
 */
export function createVggBn({ inputShape, classes, seed }: PresetOptions): tf.Sequential {
  const he = (i: number) => tf.initializers.heNormal({ seed: layerSeed(seed, i) });
  const layers: tf.layers.Layer[] = [];
  const filtersPerConv = [32, 32, 64, 64];
  filtersPerConv.forEach((filters, i) => {
    const n = i + 1;
    layers.push(
      tf.layers.conv2d({
        name: `conv${n}`,
        ...(i === 0 ? { inputShape: [...inputShape] } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: he(i),
      }),
      tf.layers.batchNormalization({ name: `bn${n}`, momentum: 0.9 }),
      tf.layers.activation({ name: `relu${n}`, activation: 'relu' }),
    );
    if (n % 2 === 0) layers.push(tf.layers.maxPooling2d({ name: `pool${n / 2}`, poolSize: 2 }));
  });
  layers.push(
    tf.layers.flatten({ name: 'flatten' }),
    tf.layers.dense({ name: 'dense1', units: 128, activation: 'relu', kernelInitializer: he(4) }),
    tf.layers.dense({
      name: 'logits',
      units: classes,
      kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, 5) }),
    }),
  );
  return tf.sequential({ name: 'vgg-bn', layers });
}

export const vggBnPreset: PresetDefinition = {
  name: 'vgg-bn',
  description:
    'Small VGG-style CNN with batch norm: (conv 32·3×3 → BN → ReLU)×2 → pool → (conv 64·3×3 → BN → ReLU)×2 → pool → dense 128 → logits.',
  minInputSize: 4,
  build: createVggBn,
};
