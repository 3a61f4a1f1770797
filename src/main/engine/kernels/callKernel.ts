import * as tf from '@tensorflow/tfjs';

/**
 * Runs another kernel of the same backend directly — no engine bookkeeping, no tape — so a kernel can
 * be composed from the backend's own building blocks. The caller disposes the intermediates it makes.
 */
export function callBackendKernel(
  backendName: string,
  kernelName: string,
  backend: tf.KernelBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
): tf.TensorInfo {
  const config = tf.getKernel(kernelName, backendName);
  if (!config) throw new Error(`Kernel ${kernelName} is not registered for the ${backendName} backend.`);
  const out = config.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) throw new Error(`Kernel ${kernelName} returned several outputs; expected one.`);
  return out;
}
