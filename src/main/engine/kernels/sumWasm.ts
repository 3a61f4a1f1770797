import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernelsOf } from './simd/simdModule';
import { wrappingConfig, type KernelArgs } from './wrapKernel';

/**
 * The reduced axes when they are exactly the leading ones (0 … k−1, some but not all), else null. That
 * is the shape of every bias gradient: dy [batch, h, w, channels] summed down to [channels].
 */
export function leadingAxes(shape: readonly number[], axis: number | number[]): number | null {
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + shape.length : a)))];
  axes.sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length) return null;
  return axes.every((a, i) => a === i) ? axes.length : null;
}

/**
 * wasm's Sum walks the reduced axes element by element (a bias gradient of the first convolution cost
 * more than its forward pass). A float32 sum over leading axes is a column sum of a [rows × columns]
 * matrix: PruneLab's SIMD $columnSums, 32 columns per sweep. Any other reduction keeps wasm's own kernel.
 */
export function makeSumWasm(fallback: (args: KernelArgs) => tf.TensorInfo) {
  return function sumWasm(args: KernelArgs): tf.TensorInfo {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const k = x.dtype === 'float32' ? leadingAxes(x.shape, axis) : null;
    if (k === null) return fallback(args);
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const rest = x.shape.slice(k);
    const columns = rest.reduce((a, b) => a * b, 1);
    const wasm = backend as unknown as BackendWasm;
    const simd = simdKernelsOf(backend);
    const out = wasm.makeOutput(keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest, 'float32');
    simd.exports.columnSums(simd.offsetOf(x), simd.offsetOf(out), rows, columns);
    return out;
  };
}

/** Replaces wasm's Sum, using it for the reductions ours does not cover. */
export const sumWasmConfig = (original: tf.KernelConfig) => wrappingConfig(original, makeSumWasm);
