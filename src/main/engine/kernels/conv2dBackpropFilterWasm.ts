import * as tf from '@tensorflow/tfjs';
import { callBackendKernel } from './callKernel';

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * The wasm backend has no Conv2DBackpropFilter, so every conv layer's weight gradient fails there.
 * The filter gradient is itself a convolution:
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−padTop, ow·s+kw−padLeft, ci] · dy[b,oh,ow,co]
 * so with the input's channels moved to the batch axis (x → [ci,H,W,B]) and the output gradient used as
 * the filter (dy → [OH,OW,B,co]), a stride-1 convolution dilated by the forward stride, padded like the
 * forward pass, yields [ci,kh,kw,co] — XNNPACK's fast convolution does all the arithmetic.
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
  const run = (name: string, ins: tf.NamedTensorInfoMap, a: tf.NamedAttrMap) =>
    callBackendKernel('wasm', name, backend, ins, a);
  const intermediates: tf.TensorInfo[] = [];
  try {
    const xByChannel = run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    intermediates.push(xByChannel);
    const dyAsFilter = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    intermediates.push(dyAsFilter);
    const { top, bottom, left, right } = info.padInfo;
    let grad = run(
      'Conv2D',
      { x: xByChannel, filter: dyAsFilter },
      {
        strides: [1, 1],
        dilations: [info.strideHeight, info.strideWidth],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    intermediates.push(grad);
    const [kh, kw, ci, co] = filterShape;
    // 'valid' padding whose stride does not divide (H − kh) leaves rows the forward pass never read.
    if (grad.shape[1] !== kh || grad.shape[2] !== kw) {
      grad = run('Slice', { x: grad }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
      intermediates.push(grad);
    }
    return run('Transpose', { x: grad }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of intermediates) backend.disposeData(t.dataId);
  }
}

export const conv2dBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc,
};
