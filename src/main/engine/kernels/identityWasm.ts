import type * as tf from '@tensorflow/tfjs';

import { wrappingConfig, type KernelArgs } from './wrapKernel';

/** The input's data under one more reference: tensors never change in place, so sharing is safe. */
function share(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * wasm's Identity copies the data; the engine calls it for every tensor it saves for the backward pass,
 * so a training step copied each large activation up to three times. Here the output shares the input's
 * data — what the cpu backend and wasm's own Reshape do. Strings keep wasm's kernel.
 */
export const identityWasmConfig = (original: tf.KernelConfig) =>
  wrappingConfig(original, (fallback) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    return x.dtype === 'string' ? fallback(args) : share(args);
  });

/**
 * A cast to the dtype the tensor already has — every ReLU's gradient casts step(x), a float32, to
 * float32 — copies on wasm; here it shares. Real conversions keep wasm's kernel.
 */
export const castWasmConfig = (original: tf.KernelConfig) =>
  wrappingConfig(original, (fallback) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as { dtype: tf.DataType };
    return x.dtype === dtype && dtype !== 'string' ? share(args) : fallback(args);
  });
