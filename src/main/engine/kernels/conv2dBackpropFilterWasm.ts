import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { patchGeometry } from './patchGeometry';
import { simdKernelsOf } from './simd/simdModule';

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * The wasm backend has no Conv2DBackpropFilter. The filter gradient is one matrix product over the
 * patches the forward pass read:
 *   dW[(kh,kw,ci), co] = Σ_{b,oh,ow} patches[(b,oh,ow), (kh,kw,ci)] · dy[(b,oh,ow), co]
 * so the patches are laid out once (im2col, zeros for padding) and multiplied as Patchesᵀ·dy by
 * PruneLab's SIMD GEMM, which reads dy where it lies — no transposes, no packing of either operand.
 */
export function conv2dBackpropFilterWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as BackpropFilterAttrs;
  if (dataFormat !== 'NHWC')
    throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}.`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const wasm = backend as unknown as BackendWasm;
  const simd = simdKernelsOf(backend);
  const [kh, kw, ci, co] = filterShape;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const taps = kh * kw * ci;
  const patches = wasm.makeOutput([rows, taps], 'float32');
  try {
    const out = wasm.makeOutput([...filterShape], 'float32');
    simd.run(
      'im2col',
      [simd.offsetOf(x), simd.offsetOf(patches), ...patchGeometry(info)],
      rows,
      64,
      rows * taps,
    );
    const product = [simd.offsetOf(patches), simd.offsetOf(dy), simd.offsetOf(out), rows, taps, co];
    simd.run('gemmTN', product, taps, 4, rows * taps * co);
    return out;
  } finally {
    wasm.disposeData(patches.dataId);
  }
}

export const conv2dBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc,
};
