import type * as tf from '@tensorflow/tfjs';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

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
export function identityWasmConfig(original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: 'Identity',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: ((args: KernelArgs) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      return x.dtype === 'string' ? original.kernelFunc(args) : share(args);
    }) as unknown as tf.KernelFunc,
  };
}

/**
 * A cast to the dtype the tensor already has — every ReLU's gradient casts step(x), a float32, to
 * float32 — copies on wasm; here it shares. Real conversions keep wasm's kernel.
 */
export function castWasmConfig(original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: 'Cast',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: ((args: KernelArgs) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { dtype } = args.attrs as { dtype: tf.DataType };
      return x.dtype === dtype && dtype !== 'string' ? share(args) : original.kernelFunc(args);
    }) as unknown as tf.KernelFunc,
  };
}
