import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { patchGeometry } from './patchGeometry';
import { simdKernelsOf } from './simd/simdModule';
import { wrappingConfig, type KernelArgs } from './wrapKernel';

interface BackpropInputAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * wasm ships a Conv2DBackpropInput as plain loops (more than half of a keras-cifar-cnn step). The input
 * gradient is the adjoint of the forward pass's patch matrix:
 *   dPatches[(b,oh,ow), (kh,kw,ci)] = Σ_co dy[(b,oh,ow), co] · W[(kh,kw,ci), co]     (dy·Wᵀ)
 *   dx = col2im(dPatches)   — each patch entry added back where the forward pass read it
 * so one SIMD GEMM (over Wᵀ, transposed once: a few thousand weights) and one scatter pass, any stride
 * and padding, and no work on padded zeros. NCHW keeps wasm's kernel.
 */
export function makeConv2dBackpropInputWasm(fallback: (args: KernelArgs) => tf.TensorInfo) {
  return function conv2dBackpropInputWasm(args: KernelArgs): tf.TensorInfo {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as BackpropInputAttrs;
    if (dataFormat !== 'NHWC') return fallback(args);
    const filterShape = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad, dimRoundingMode);
    const [kh, kw, ci, co] = filterShape;
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const taps = kh * kw * ci;
    const wasm = backend as unknown as BackendWasm;
    const simd = simdKernelsOf(backend);
    const filterT = transposedFilter(wasm, filter, taps, co);
    const patches = wasm.makeOutput([rows, taps], 'float32');
    try {
      const product = [simd.offsetOf(dy), simd.offsetOf(filterT), simd.offsetOf(patches), rows, co, taps];
      simd.run('gemmNN', product, rows, 4, rows * co * taps);
      const out = wasm.makeOutput([...inputShape], 'float32');
      const images = info.batchSize;
      const args = [simd.offsetOf(patches), simd.offsetOf(out), images, ...patchGeometry(info)];
      simd.run('col2im', args, images, 1, rows * taps);
      return out;
    } finally {
      wasm.disposeData(patches.dataId);
      wasm.disposeData(filterT.dataId);
    }
  };
}

/** W as [taps × co] → Wᵀ [co × taps], one loop over the heap. */
function transposedFilter(wasm: BackendWasm, filter: tf.TensorInfo, taps: number, co: number): tf.TensorInfo {
  const out = wasm.makeOutput([co, taps], 'float32');
  // views after the allocation: growing the heap detaches older views
  const w = wasm.typedArrayFromHeap(filter) as Float32Array;
  const t = wasm.typedArrayFromHeap(out) as Float32Array;
  for (let k = 0; k < taps; k++) for (let c = 0; c < co; c++) t[c * taps + k] = w[k * co + c]!;
  return out;
}

/** Replaces wasm's Conv2DBackpropInput, using it for NCHW. */
export const conv2dBackpropInputWasmConfig = (original: tf.KernelConfig) =>
  wrappingConfig(original, makeConv2dBackpropInputWasm);
