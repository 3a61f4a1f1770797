import type * as tf from '@tensorflow/tfjs';

/**
 * Floating-point operations per image of each multiply-accumulate layer (Conv2D, DepthwiseConv2D,
 * Dense), counted as 2 FLOPs per multiply-add; activations, pooling and batch norm are left out because
 * they are a rounding error next to the convolutions. Works on any built model, including one whose
 * layers were shrunk by structured pruning, because it reads the actual kernel and output shapes.
 */
export function flopsByLayer(model: tf.LayersModel): Map<string, number> {
  const flops = new Map<string, number>();
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    const kernel = layer.weights[0];
    if (!kernel) continue;
    if (kind === 'Conv2D' || kind === 'DepthwiseConv2D') {
      const out = layer.outputShape as (number | null)[];
      const positions = (out[1] ?? 1) * (out[2] ?? 1);
      // kernel [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier]) — the product is the MACs per position
      const macsPerPosition = product(kernel.shape);
      flops.set(layer.name, 2 * positions * macsPerPosition);
    } else if (kind === 'Dense') {
      flops.set(layer.name, 2 * product(kernel.shape));
    }
  }
  return flops;
}

/** LayerVariable shapes are fully defined once the model is built; a null would be a bug upstream. */
function product(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((a, b) => a * (b ?? 1), 1);
}

export function countFlops(model: tf.LayersModel): number {
  let total = 0;
  for (const f of flopsByLayer(model).values()) total += f;
  return total;
}

export function countParameters(model: tf.LayersModel): number {
  return model.countParams();
}

/** FLOPs of one optimizer update per parameter: Adam's two moments, bias-corrected step and update; SGD's velocity and step. */
const optimizerFlopsPerParameter = { adam: 12, sgd: 4 } as const;

export interface TrainingStepFlops {
  /** forward pass of the batch */
  forward: number;
  /** gradients with respect to each layer's input (none for the layer that reads the images) */
  inputGradients: number;
  /** gradients with respect to each kernel: as many multiply-adds as the forward pass */
  weightGradients: number;
  optimizer: number;
  total: number;
}

/**
 * FLOPs of one training step on `batchSize` images, counted from the model's multiply-accumulate layers
 * as flopsByLayer counts them (2 per multiply-add; activations, pooling and the loss left out).
 */
export function trainingStepFlops(
  model: tf.LayersModel,
  batchSize: number,
  optimizer: keyof typeof optimizerFlopsPerParameter,
): TrainingStepFlops {
  const byLayer = flopsByLayer(model);
  const readsImages = new Set(
    model.layers.filter((l) => model.inputs.some((input) => l.input === input)).map((l) => l.name),
  );
  // a Sequential model's first layer reads the images even where its symbolic input is wrapped
  if (readsImages.size === 0 && model.layers[0]) readsImages.add(model.layers[0].name);
  let forward = 0;
  let inputGradients = 0;
  for (const [name, flops] of byLayer) {
    forward += flops * batchSize;
    if (!readsImages.has(name)) inputGradients += flops * batchSize;
  }
  const weightGradients = forward;
  const optimizerFlops = optimizerFlopsPerParameter[optimizer] * countParameters(model);
  return {
    forward,
    inputGradients,
    weightGradients,
    optimizer: optimizerFlops,
    total: forward + inputGradients + weightGradients + optimizerFlops,
  };
}
