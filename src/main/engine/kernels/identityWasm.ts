import type * as tf from '@tensorflow/tfjs';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

/**
 * wasm's Identity copies the data; the engine calls it for every tensor it saves for the backward pass,
 * so a training step copied each large activation up to three times. Tensors never change in place, so
 * the output can share the input's data with one more reference — what the cpu backend and wasm's own
 * Reshape do. Strings keep wasm's kernel.
 */
export function makeIdentityWasm(fallback: tf.KernelFunc) {
  return function identityWasm(args: KernelArgs): tf.TensorInfo {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return fallback(args) as tf.TensorInfo;
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

export function identityWasmConfig(original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: 'Identity',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: makeIdentityWasm(original.kernelFunc) as unknown as tf.KernelFunc,
  };
}
