import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernelsOf, type PoolShapes } from './simd/simdModule';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * wasm's MaxPoolGrad was the slowest kernel of a keras-cifar-cnn training step, and a JavaScript loop
 * after it still cost a tenth of the step. This one is PruneLab's SIMD $maxPoolGrad, on the heap: for every
 * pooling window the first maximum (strictly greater wins, row-major window order, as tf's cpu kernel)
 * receives the window's output gradient, four channels at a time.
 */
export function maxPoolGradWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const wasm = backend as unknown as BackendWasm;
  const simd = simdKernelsOf(backend);
  const out = wasm.makeOutput(input.shape, 'float32');
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const shapes: PoolShapes = [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
  ];
  const tensors: [number, number, number] = [simd.offsetOf(input), simd.offsetOf(dy), simd.offsetOf(out)];
  // every window inside the image ('same' padding can add a window past the edge), no overlap
  const inside = 2 * info.outHeight <= info.inHeight && 2 * info.outWidth <= info.inWidth;
  const plain = fh === 2 && fw === 2 && sh === 2 && sw === 2 && padInfo.top === 0 && padInfo.left === 0;
  if (plain && inside && info.inChannels % 4 === 0) {
    const elements = input.shape.reduce((a, b) => a * b, 1);
    simd.run('maxPoolGrad2x2', [...tensors, ...shapes], info.batchSize, 1, elements);
  } else {
    const window: [number, number, number, number, number, number] = [
      fh,
      fw,
      sh,
      sw,
      padInfo.top,
      padInfo.left,
    ];
    simd.exports.maxPoolGrad(...tensors, ...shapes, ...window);
  }
  return out;
}

export const maxPoolGradWasmConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm as unknown as tf.KernelFunc,
};
