import * as tf from '@tensorflow/tfjs';
import { batchMatMulWasmConfig } from './batchMatMulWasm';
import { conv2dBackpropFilterWasmConfig } from './conv2dBackpropFilterWasm';
import { conv2dBackpropInputWasmConfig } from './conv2dBackpropInputWasm';
import { castWasmConfig, identityWasmConfig } from './identityWasm';
import { maxPoolGradWasmConfig } from './maxPoolGradWasm';
import { sumWasmConfig } from './sumWasm';

export { attachSimdKernels } from './simd/simdModule';

/** Training kernels the wasm backend ships without, found by running every preset's training step on it. */
export const wasmTrainingKernels: readonly tf.KernelConfig[] = [conv2dBackpropFilterWasmConfig];

/**
 * Kernels wasm has but computes slowly in a training step; ours wrap the original (keeping its setup)
 * and use it for the cases ours does not cover. MaxPoolGrad is replaced outright.
 */
const wrappers: Record<string, (original: tf.KernelConfig) => tf.KernelConfig> = {
  Conv2DBackpropInput: conv2dBackpropInputWasmConfig,
  Sum: sumWasmConfig,
  BatchMatMul: batchMatMulWasmConfig,
  Identity: identityWasmConfig,
  Cast: castWasmConfig,
  MaxPoolGrad: () => maxPoolGradWasmConfig,
};

export const wasmFasterKernels = Object.keys(wrappers);

const replaced = new Set<string>();

/**
 * Registers the missing training kernels, and faster versions of slow ones, for the wasm backend only.
 * Call before the wasm backend starts (kernel setup runs then), then attachSimdKernels(backend) once it
 * has: our kernels run PruneLab's SIMD module on the backend's memory. Safe to call more than once.
 */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const config of wasmTrainingKernels) {
    if (tf.getKernel(config.kernelName, config.backendName)) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  for (const [name, wrap] of Object.entries(wrappers)) {
    if (replaced.has(name)) continue;
    const original = tf.getKernel(name, 'wasm');
    if (!original) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(wrap(original));
    replaced.add(name);
    added.push(name);
  }
  return added;
}
