import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernelsOf } from './simd/simdModule';
import { wrappingConfig, type KernelArgs } from './wrapKernel';

/**
 * wasm's BatchMatMul hands only the plain product (no transposes, one batch) to XNNPACK; with a
 * transposed operand it runs a scalar triple loop. Both gradients of a dense layer are such products —
 * dW = xᵀ·dy and dx = dy·Wᵀ — so those two cases (one batch, float32) go to PruneLab's SIMD GEMMs
 * $gemmTN and $gemmNT. Everything else keeps wasm's kernel.
 */
export function makeBatchMatMulWasm(fallback: (args: KernelArgs) => tf.TensorInfo) {
  return function batchMatMulWasm(args: KernelArgs): tf.TensorInfo {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    // rank 2, or rank 3 with one batch: the dense layers' products
    const rank = a.shape.length;
    const single =
      (rank === 2 || rank === 3) &&
      b.shape.length === rank &&
      (rank === 2 || (a.shape[0] === 1 && b.shape[0] === 1)) &&
      a.dtype === 'float32' &&
      b.dtype === 'float32';
    if (!single || transposeA === transposeB) return fallback(args);
    const [a1, a2] = a.shape.slice(-2) as [number, number];
    const [b1, b2] = b.shape.slice(-2) as [number, number];
    const batch = a.shape.slice(0, -2);
    const wasm = backend as unknown as BackendWasm;
    const simd = simdKernelsOf(backend);
    if (transposeA) {
      // a [N×M], b [N×P] → aᵀ·b [M×P]
      if (a1 !== b1) return fallback(args);
      const out = wasm.makeOutput([...batch, a2, b2], 'float32');
      simd.exports.gemmTN(simd.offsetOf(a), simd.offsetOf(b), simd.offsetOf(out), a1, a2, b2, 0, a2);
      return out;
    }
    // a [M×K], b [P×K] → a·bᵀ [M×P]
    if (a2 !== b2) return fallback(args);
    const out = wasm.makeOutput([...batch, a1, b1], 'float32');
    simd.exports.gemmNT(simd.offsetOf(a), simd.offsetOf(b), simd.offsetOf(out), a1, a2, b1, 0, a1);
    return out;
  };
}

/** Replaces wasm's BatchMatMul, using it for the products ours does not cover. */
export const batchMatMulWasmConfig = (original: tf.KernelConfig) =>
  wrappingConfig(original, makeBatchMatMulWasm);
