import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasmConfig } from './conv2dBackpropFilterWasm';
import { conv2dBackpropInputWasmConfig } from './conv2dBackpropInputWasm';
import { maxPoolGradWasmConfig } from './maxPoolGradWasm';

/** Training kernels the wasm backend ships without, found by running every preset's training step on it. */
export const wasmTrainingKernels: readonly tf.KernelConfig[] = [conv2dBackpropFilterWasmConfig];

/** Kernels wasm has but computes slowly; ours wrap the original and use it where ours does not apply. */
export const wasmFasterKernels = ['Conv2DBackpropInput', 'MaxPoolGrad'] as const;

const replaced = new Set<string>();

/**
 * Registers the missing training kernels, and faster versions of slow ones, for the wasm backend only.
 * Call before the wasm backend starts (kernel setup runs then); safe to call more than once.
 */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const config of wasmTrainingKernels) {
    if (tf.getKernel(config.kernelName, config.backendName)) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (original && !replaced.has('Conv2DBackpropInput')) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(conv2dBackpropInputWasmConfig(original));
    replaced.add('Conv2DBackpropInput');
    added.push('Conv2DBackpropInput');
  }
  if (!replaced.has('MaxPoolGrad')) {
    if (tf.getKernel('MaxPoolGrad', 'wasm')) tf.unregisterKernel('MaxPoolGrad', 'wasm');
    tf.registerKernel(maxPoolGradWasmConfig);
    replaced.add('MaxPoolGrad');
    added.push('MaxPoolGrad');
  }
  return added;
}
