import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasmConfig } from './conv2dBackpropFilterWasm';

/** Training kernels the wasm backend ships without, found by running every preset's training step on it. */
export const wasmTrainingKernels: readonly tf.KernelConfig[] = [conv2dBackpropFilterWasmConfig];

/** Registers the missing training kernels for the wasm backend only; safe to call more than once. */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const config of wasmTrainingKernels) {
    if (tf.getKernel(config.kernelName, config.backendName)) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}
