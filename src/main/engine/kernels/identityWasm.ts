import type * as tf from '@tensorflow/tfjs';

import { wrappingConfig, type KernelArgs } from './wrapKernel';

interface SharingBackend {
  incRef(dataId: object): void;
  dataIdMap: { get(dataId: object): { shape: number[] } | undefined };
}

/**
 * Whether the input's data can be shared: tensors never change in place, but wasm's kernels read a
 * tensor's rank from its data's record (FusedConv2D insists on a rank-1 bias), and a reshaped tensor's
 * data still carries its first shape. A copy gives the data a record of its own shape: share only where
 * the record already has it.
 */
function canShare(args: KernelArgs): boolean {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const stored = (args.backend as unknown as SharingBackend).dataIdMap.get(x.dataId)?.shape;
  return (
    x.dtype !== 'string' &&
    stored !== undefined &&
    stored.length === x.shape.length &&
    stored.every((d, i) => d === x.shape[i])
  );
}

/** The input's data under one more reference. */
function share(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  (args.backend as unknown as SharingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * wasm's Identity copies the data; the engine calls it for every tensor it saves for the backward pass,
 * so a training step copied each large activation up to three times. Here the output shares the input's
 * data — what the cpu backend and wasm's own Reshape do — unless the data's record has another shape
 * (see canShare). Strings keep wasm's kernel.
 */
export const identityWasmConfig = (original: tf.KernelConfig) =>
  wrappingConfig(original, (fallback) => (args) => {
    return canShare(args) ? share(args) : fallback(args);
  });

/**
 * A cast to the dtype the tensor already has — every ReLU's gradient casts step(x), a float32, to
 * float32 — copies on wasm; here it shares. Real conversions keep wasm's kernel.
 */
export const castWasmConfig = (original: tf.KernelConfig) =>
  wrappingConfig(original, (fallback) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as { dtype: tf.DataType };
    return x.dtype === dtype && canShare(args) ? share(args) : fallback(args);
  });
