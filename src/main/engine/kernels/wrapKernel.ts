import type * as tf from '@tensorflow/tfjs';

export type KernelArgs = {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
};

/**
 * A wasm kernel that replaces `original` (keeping its setup, which ran when the backend started) and
 * hands it the cases ours does not cover: `make` gets the original to fall back on.
 */
export function wrappingConfig(
  original: tf.KernelConfig,
  make: (fallback: (args: KernelArgs) => tf.TensorInfo) => (args: KernelArgs) => tf.TensorInfo,
): tf.KernelConfig {
  const fallback = (args: KernelArgs) => original.kernelFunc(args) as tf.TensorInfo;
  return {
    kernelName: original.kernelName,
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: make(fallback) as unknown as tf.KernelFunc,
  };
}
