import type * as tf from '@tensorflow/tfjs';

/** Indices kept along the last (channel / feature) axis of a tensor between layers; null = all of them. */
export type ChannelSlice = number[] | null;

export interface LayerFlow {
  layer: tf.layers.Layer;
  /** which of the layer's input channels/features survive */
  input: ChannelSlice;
  /** which of its output channels/units survive */
  output: ChannelSlice;
}

// Layers a removed channel passes through untouched: they act on each channel independently and map 0 to 0.
const channelwise = new Set([
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Dropout',
  'SpatialDropout2D',
  'ZeroPadding2D',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'InputLayer',
]);

// Activations with f(0) = 0: a removed unit outputs exactly zero, so removing it cannot change the logits.
const zeroPreserving = new Set([
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'tanh',
  'softsign',
  'swish',
  'mish',
  'gelu',
  'gelu_new',
]);

/**
 * Follows removed units through a sequential model: each Conv2D/Dense in `keepUnits` keeps only the
 * listed output units; the layers after it see only those channels (pooling and batch norm per channel,
 * flatten → the matching features, the next Conv2D/Dense → input channels sliced). Throws, naming the
 * layer, for anything this cannot follow exactly (branching models, a sigmoid on a removed unit, …).
 */
export function planChannelFlow(
  model: tf.LayersModel,
  keepUnits: ReadonlyMap<string, number[]>,
): LayerFlow[] {
  if (model.getClassName() !== 'Sequential') {
    throw new Error('Structured pruning handles sequential models only (this one branches).');
  }
  const flows: LayerFlow[] = [];
  let slice: ChannelSlice = null;
  let previousOutput: (number | null)[] = model.inputs[0]?.shape ?? [];
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    const input: ChannelSlice = slice;
    if (kind === 'Conv2D' || kind === 'Dense') {
      const keep = keepUnits.get(layer.name) ?? null;
      if (keep) {
        const activation = activationName(layer);
        if (!zeroPreserving.has(activation)) {
          throw new Error(
            `Cannot remove units of ${layer.name}: its activation "${activation}" does not map 0 to 0.`,
          );
        }
        if (keep.length === 0)
          throw new Error(`Structured pruning would remove every unit of ${layer.name}.`);
      }
      slice = keep;
    } else if (kind === 'Flatten') {
      if (slice) slice = flattenedFeatures(previousOutput, slice);
    } else if (kind === 'BatchNormalization') {
      const axis = (layer.getConfig() as { axis?: number | number[] }).axis;
      if (slice && axis !== -1 && axis !== 3 && !(Array.isArray(axis) && axis[0] === -1)) {
        throw new Error(
          `Cannot slice batch norm ${layer.name}: it normalises axis ${String(axis)}, not channels.`,
        );
      }
    } else if (kind === 'Activation') {
      const activation = activationName(layer);
      if (slice && !zeroPreserving.has(activation)) {
        throw new Error(`Cannot remove units before ${layer.name}: "${activation}" does not map 0 to 0.`);
      }
    } else if (!channelwise.has(kind) && slice) {
      throw new Error(`Structured pruning cannot pass removed channels through ${layer.name} (${kind}).`);
    }
    flows.push({ layer, input, output: slice });
    previousOutput = layer.outputShape as (number | null)[];
  }
  return flows;
}

function activationName(layer: tf.layers.Layer): string {
  const a = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof a === 'string' ? a : 'linear';
}

/** Flatten of [h, w, c] orders features as (row, col, channel): keep every position's surviving channels. */
function flattenedFeatures(shape: (number | null)[], channels: number[]): number[] {
  const c = shape[shape.length - 1] ?? 1;
  const positions = shape.slice(1, -1).reduce<number>((a, b) => a * (b ?? 1), 1);
  const features: number[] = [];
  for (let p = 0; p < positions; p++) for (const ch of channels) features.push(p * c + ch);
  return features;
}
