import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * wasm's MaxPoolGrad was the slowest kernel of a keras-cifar-cnn training step. This one walks the
 * NHWC data once, channels innermost (contiguous), directly on the wasm heap: for every pooling window
 * it finds the first maximum — strictly greater wins, in row-major window order, as tf's cpu kernel
 * does — and adds the window's output gradient there.
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
  const out = wasm.makeOutput(input.shape, 'float32');
  // views after the allocation: growing the heap detaches older views
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const best = new Float32Array(channels);
  const bestAt = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = oh * strideHeight - top;
      for (let ow = 0; ow < outWidth; ow++) {
        const colStart = ow * strideWidth - left;
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let fh = 0; fh < filterHeight; fh++) {
          const row = rowStart + fh;
          if (row < 0 || row >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const col = colStart + fw;
            if (col < 0 || col >= inWidth) continue;
            const base = ((b * inHeight + row) * inWidth + col) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                bestAt[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) {
          const at = bestAt[c]!;
          if (at >= 0) dx[at] = dx[at]! + g[dyBase + c]!;
        }
      }
    }
  }
  return out;
}

export const maxPoolGradWasmConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm as unknown as tf.KernelFunc,
};
