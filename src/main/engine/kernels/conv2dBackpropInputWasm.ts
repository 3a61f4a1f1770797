import * as tf from '@tensorflow/tfjs';
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
    const run = (name: string, ins: tf.NamedTensorInfoMap, a: tf.NamedAttrMap) =>
      callBackendKernel('wasm', name, backend, ins, a);
    const flipped = run('Reverse', { x: filter }, { dims: [0, 1] });
    try {
      const swapped = run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
      try {
        return run(
          'Conv2D',
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
        backend.disposeData(swapped.dataId);
      }
    } finally {
      backend.disposeData(flipped.dataId);
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
