import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callBackendKernel } from './callKernel';

interface BackpropInputAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

/**
 * wasm ships a Conv2DBackpropInput, but as plain loops: in a keras-cifar-cnn training step it took
 * more than half the time. For stride 1 the input gradient is an ordinary convolution of the output
 * gradient with the filter flipped in space and its in/out channels swapped, padded by (k − 1 − pad):
 *   dx[b,i,j,ci] = Σ_{kh,kw,co} dy[b, i+padTop−kh, j+padLeft−kw, co] · W[kh,kw,ci,co]
 * which XNNPACK computes many times faster. Other strides keep wasm's own kernel.
 */
export function makeConv2dBackpropInputWasm(fallback: tf.KernelFunc) {
  return function conv2dBackpropInputWasm(args: KernelArgs): tf.TensorInfo {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as BackpropInputAttrs;
    const [strideH, strideW] = typeof strides === 'number' ? [strides, strides] : strides;
    if (strideH !== 1 || strideW !== 1 || dataFormat !== 'NHWC') return fallback(args) as tf.TensorInfo;

    const filterShape = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, 1, 1, pad, dimRoundingMode);
    const [kh, kw] = filterShape;
    const padTop = kh - 1 - info.padInfo.top;
    const padLeft = kw - 1 - info.padInfo.left;
    const padBottom = inputShape[1] - info.outHeight + info.padInfo.top;
    const padRight = inputShape[2] - info.outWidth + info.padInfo.left;
    const wasm = backend as unknown as BackendWasm;
    const swapped = flippedSwappedFilter(wasm, filter);
    try {
      return callBackendKernel(
        'wasm',
        'Conv2D',
        backend,
        { x: dy, filter: swapped },
        {
          strides: [1, 1],
          dilations: [1, 1],
          pad: [
            [0, 0],
            [padTop, padBottom],
            [padLeft, padRight],
            [0, 0],
          ],
          dataFormat: 'NHWC',
        },
      );
    } finally {
      wasm.disposeData(swapped.dataId);
    }
  };
}

/** Replaces wasm's Conv2DBackpropInput, keeping its setup and using it for strides other than 1. */
export function conv2dBackpropInputWasmConfig(original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: makeConv2dBackpropInputWasm(original.kernelFunc) as unknown as tf.KernelFunc,
  };
}

/**
 * W[kh,kw,ci,co] → W'[KH−1−kh, KW−1−kw, co, ci] in one pass over the heap (a few thousand weights; the
 * backend's Reverse and Transpose kernels cost more to call than this loop takes).
 */
function flippedSwappedFilter(wasm: BackendWasm, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const out = wasm.makeOutput([kh, kw, co, ci], 'float32');
  // views after the allocation: growing the heap detaches older views
  const w = wasm.typedArrayFromHeap(filter) as Float32Array;
  const o = wasm.typedArrayFromHeap(out) as Float32Array;
  for (let h = 0; h < kh; h++) {
    for (let x = 0; x < kw; x++) {
      const from = (h * kw + x) * ci * co;
      const to = ((kh - 1 - h) * kw + (kw - 1 - x)) * co * ci;
      for (let i = 0; i < ci; i++) for (let c = 0; c < co; c++) o[to + c * ci + i] = w[from + i * co + c]!;
    }
  }
  return out;
}
