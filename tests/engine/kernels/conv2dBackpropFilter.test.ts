import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { wasmFasterKernels, wasmTrainingKernels } from '../../../src/main/engine/kernels';
import { maxRelativeError, seededValues } from './fixtures';

beforeAll(async () => {
  // Loads the wasm backend and registers our kernels on it.
  const info = await initBackend('wasm');
  expect(info.name).toBe('wasm');
});

interface Case {
  stride: 1 | 2;
  pad: 'same' | 'valid';
  xShape: [number, number, number, number];
  kernel: number;
  outChannels: number;
}

const cases: Case[] = [];
for (const stride of [1, 2] as const) {
  for (const pad of ['same', 'valid'] as const) {
    // 9×9 with stride 2 'valid' and a 3×3 kernel reads every row; 10×10 leaves the last one unread.
    cases.push({ stride, pad, xShape: [3, 9, 9, 2], kernel: 3, outChannels: 4 });
    cases.push({ stride, pad, xShape: [2, 10, 11, 3], kernel: 5, outChannels: 6 });
  }
}

/** Filter and input gradients of sum(conv(x, w)·g) — plain conv2d and the fused conv+bias+relu layers use. */
function gradients(c: Case, fused: boolean): { dFilter: Float32Array; dInput: Float32Array } {
  const [, , , ci] = c.xShape;
  const fShape: [number, number, number, number] = [c.kernel, c.kernel, ci, c.outChannels];
  return tf.tidy(() => {
    const x = tf.tensor4d(
      seededValues(
        c.xShape.reduce((a, b) => a * b),
        1,
      ),
      c.xShape,
    );
    const w = tf.tensor4d(
      seededValues(
        fShape.reduce((a, b) => a * b),
        2,
      ),
      fShape,
    );
    const bias = tf.tensor1d(seededValues(c.outChannels, 3));
    const forward = (xx: tf.Tensor4D, ww: tf.Tensor4D) =>
      fused
        ? tf.fused.conv2d({ x: xx, filter: ww, strides: c.stride, pad: c.pad, bias, activation: 'relu' })
        : tf.conv2d(xx, ww, c.stride, c.pad);
    const outShape = forward(x, w).shape;
    const upstream = tf.tensor(
      seededValues(
        outShape.reduce((a, b) => a * b),
        4,
      ),
      outShape,
    );
    const [dInput, dFilter] = tf.grads((xx, ww) =>
      forward(xx as tf.Tensor4D, ww as tf.Tensor4D)
        .mul(upstream)
        .sum(),
    )([x, w]);
    return { dFilter: dFilter!.dataSync() as Float32Array, dInput: dInput!.dataSync() as Float32Array };
  });
}

describe('wasm training kernels', () => {
  it('registers Conv2DBackpropFilter for wasm only', () => {
    expect(wasmTrainingKernels.map((k) => k.kernelName)).toContain('Conv2DBackpropFilter');
    expect(wasmTrainingKernels.every((k) => k.backendName === 'wasm')).toBe(true);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    // cpu keeps its own implementations: we compare against them
    for (const name of wasmFasterKernels) {
      expect(tf.getKernel(name, 'cpu')?.kernelFunc).not.toBe(tf.getKernel(name, 'wasm')?.kernelFunc);
    }
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc).not.toBe(
      tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc,
    );
  });

  for (const fused of [false, true]) {
    for (const c of cases) {
      it(`Conv2DBackpropFilter matches cpu: stride ${c.stride}, ${c.pad}, x ${c.xShape.join('×')}, ${c.kernel}×${c.kernel}${fused ? ', fused bias+relu' : ''}`, async () => {
        await tf.setBackend('cpu');
        const expected = gradients(c, fused);
        await tf.setBackend('wasm');
        const before = tf.memory().numTensors;
        const actual = gradients(c, fused);
        expect(tf.memory().numTensors).toBe(before);
        expect(actual.dFilter.length).toBe(expected.dFilter.length);
        expect(maxRelativeError(actual.dFilter, expected.dFilter)).toBeLessThanOrEqual(1e-4);
        // the input gradient flows through our Conv2DBackpropInput (GEMM + col2im) at every stride
        expect(maxRelativeError(actual.dInput, expected.dInput)).toBeLessThanOrEqual(1e-4);
      });
    }
  }
});
