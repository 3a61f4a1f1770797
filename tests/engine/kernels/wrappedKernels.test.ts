import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { wasmFasterKernels } from '../../../src/main/engine/kernels';
import { leadingAxes } from '../../../src/main/engine/kernels/sumWasm';
import { seededValues } from './fixtures';

beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
});

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    seededValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

async function onBoth<T>(run: () => T): Promise<{ cpu: T; wasm: T }> {
  await tf.setBackend('cpu');
  const cpu = run();
  await tf.setBackend('wasm');
  return { cpu, wasm: run() };
}

function expectClose(a: Float32Array | Int32Array, b: Float32Array | Int32Array, tolerance: number): void {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  expect(diff).toBeLessThanOrEqual(tolerance * Math.max(scale, 1e-30));
}

describe('wasm kernels that wrap the originals', () => {
  it('replaces only on wasm', () => {
    for (const name of wasmFasterKernels) {
      expect(tf.getKernel(name, 'cpu')?.kernelFunc).not.toBe(tf.getKernel(name, 'wasm')?.kernelFunc);
    }
  });

  it('recognises sums over leading axes only', () => {
    expect(leadingAxes([64, 26, 26, 32], [0, 1, 2])).toBe(3);
    expect(leadingAxes([64, 26, 26, 32], [2, 0, 1])).toBe(3);
    expect(leadingAxes([64, 10], 0)).toBe(1);
    expect(leadingAxes([64, 10], -2)).toBe(1);
    expect(leadingAxes([64, 10], [0, 1])).toBeNull(); // everything: wasm's own
    expect(leadingAxes([64, 26, 26, 32], [1, 2])).toBeNull();
    expect(leadingAxes([64, 26, 26, 32], [3])).toBeNull();
  });

  const sums: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
    { shape: [64, 26, 26, 32], axis: [0, 1, 2], keepDims: false }, // conv1's bias gradient
    { shape: [64, 11, 11, 64], axis: [0, 1, 2], keepDims: true },
    { shape: [64, 10], axis: 0, keepDims: false }, // 10 columns: 4 + 4 + 2 scalar
    { shape: [3, 5, 7], axis: [0, 1], keepDims: false },
    { shape: [4, 6], axis: 1, keepDims: false }, // not leading: wasm's own
    { shape: [4, 6], axis: [0, 1], keepDims: false },
  ];
  for (const s of sums) {
    it(`Sum over ${JSON.stringify(s.axis)} of ${s.shape.join('×')}${s.keepDims ? ' (keepDims)' : ''} matches cpu`, async () => {
      const { cpu, wasm } = await onBoth(() =>
        tf.tidy(() => {
          const y = tf.sum(seeded(s.shape, 9), s.axis, s.keepDims);
          return { shape: y.shape, values: y.dataSync() as Float32Array };
        }),
      );
      expect(wasm.shape).toEqual(cpu.shape);
      expectClose(wasm.values, cpu.values, 1e-5);
    });
  }

  const products: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { a: [64, 576], b: [64, 64], ta: true, tb: false }, // dense1's weight gradient
    { a: [64, 64], b: [576, 64], ta: false, tb: true }, // dense1's input gradient
    { a: [64, 64], b: [64, 10], ta: true, tb: false },
    { a: [64, 10], b: [64, 10], ta: false, tb: true },
    { a: [1, 7, 5], b: [1, 7, 3], ta: true, tb: false },
    { a: [2, 3, 5], b: [2, 4, 5], ta: false, tb: true }, // two batches: wasm's own
    { a: [6, 5], b: [5, 3], ta: false, tb: false }, // plain: XNNPACK
  ];
  for (const p of products) {
    it(`BatchMatMul ${p.a.join('×')}${p.ta ? 'ᵀ' : ''} · ${p.b.join('×')}${p.tb ? 'ᵀ' : ''} matches cpu`, async () => {
      const { cpu, wasm } = await onBoth(() =>
        tf.tidy(() => {
          const y = tf.matMul(seeded(p.a, 1), seeded(p.b, 2), p.ta, p.tb);
          return { shape: y.shape, values: y.dataSync() as Float32Array };
        }),
      );
      expect(wasm.shape).toEqual(cpu.shape);
      expectClose(wasm.values, cpu.values, 1e-5);
    });
  }

  it('Identity shares the data, and the copy outlives its source', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numDataBuffers;
    const x = seeded([1000], 3);
    const expected = x.dataSync().slice();
    const copy = tf.engine().runKernel('Identity', { x }) as tf.Tensor;
    expect(copy.dataId).toBe(x.dataId); // one buffer, two tensors
    expect(tf.memory().numDataBuffers).toBe(before + 1);
    x.dispose();
    expect(copy.dataSync()).toEqual(expected);
    copy.dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it('Cast to the same dtype shares the data; a real conversion still converts', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([-1.5, 0, 2.7, 3]);
    const same = tf.cast(x, 'float32');
    expect(same.dataId).toBe(x.dataId);
    const ints = tf.cast(x, 'int32');
    expect(ints.dataId).not.toBe(x.dataId);
    expect(Array.from(ints.dataSync())).toEqual([-1, 0, 2, 3]);
    tf.dispose([x, same, ints]);
  });

  it('copies instead of sharing when the data was made with another shape (a reshaped bias stays usable)', async () => {
    await tf.setBackend('wasm');
    tf.tidy(() => {
      // a bias computed with keepDims, reshaped to rank 1: its data was made as [1, 1, 1, 4]
      const bias = tf.sum(seeded([2, 3, 3, 4], 7), [0, 1, 2], true).reshape([4]);
      const copy = tf.clone(bias);
      expect(copy.dataId).not.toBe(bias.dataId);
      // wasm's FusedConv2D reads the bias's rank from its data: the copy has rank 1
      const y = tf.fused.conv2d({
        x: seeded([1, 5, 5, 2], 8) as tf.Tensor4D,
        filter: seeded([3, 3, 2, 4], 9) as tf.Tensor4D,
        strides: 1,
        pad: 'valid',
        bias: copy,
        activation: 'relu',
      });
      expect(y.shape).toEqual([1, 3, 3, 4]);
    });
  });
});
