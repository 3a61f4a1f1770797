import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { createPreset } from '../../../src/main/engine/models';
import type { PresetName } from '../../../src/shared/dto';
import { maxRelativeError, seededValues } from './fixtures';

// Every layer of every preset on single-channel 28×28 images (and 32×32×3 for the reference network's
// first layers): the wasm training kernels (ours) against the cpu backend's. Batch 64 where tfjs's cpu
// backend can compute the reference in reasonable time (≤ 15 M multiply-adds per pass); the deeper
// convolutions at the largest of 16, 4, 1 under that — keras-cifar-cnn's conv2 at batch 64 takes the
// cpu backend about 50 CPU-seconds, and the batch only multiplies the rows our GEMM walks.

beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
});

const macBudget = 15e6;

/** Largest batch of 64, 16, 4, 1 whose forward pass stays within the cpu backend's budget. */
function batchFor(macsPerImage: number): number {
  return [64, 16, 4, 1].find((b) => b * macsPerImage <= macBudget) ?? 1;
}

const filled = (shape: number[], seed: number) =>
  tf.tensor(
    seededValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

interface LayerCase {
  preset: PresetName;
  batch: number;
  layer: string;
  kind: 'conv' | 'pool' | 'dense';
  inShape: number[];
  /** conv: [k, k, in, out]; dense: [in, out]; pool: [pool, stride] */
  params: number[];
  pad: 'same' | 'valid';
}

function layerCases(preset: PresetName, inputShape: [number, number, number]): LayerCase[] {
  const model = createPreset(preset, { inputShape, classes: 10, seed: 1 });
  try {
    return model.layers.flatMap((layer): LayerCase[] => {
      const imageShape = (layer.input as tf.SymbolicTensor).shape.slice(1) as number[];
      const outShape = (layer.output as tf.SymbolicTensor).shape.slice(1) as number[];
      const kernel = layer.weights[0]?.shape as number[] | undefined;
      const macsPerImage = kernel
        ? outShape.slice(0, -1).reduce((a, b) => a * b, 1) * kernel.reduce((a, b) => a * b, 1)
        : 0;
      const batch = batchFor(macsPerImage);
      const inShape = [batch, ...imageShape];
      const config = layer.getConfig() as {
        padding?: 'same' | 'valid';
        poolSize?: number[];
        strides?: number[];
      };
      const kind = layer.getClassName();
      if (kind === 'Conv2D')
        return [
          {
            preset,
            batch,
            layer: layer.name,
            kind: 'conv',
            inShape,
            params: layer.weights[0]!.shape as number[],
            pad: config.padding!,
          },
        ];
      if (kind === 'Dense')
        return [
          {
            preset,
            batch,
            layer: layer.name,
            kind: 'dense',
            inShape,
            params: layer.weights[0]!.shape as number[],
            pad: 'valid',
          },
        ];
      if (kind === 'MaxPooling2D')
        return [
          {
            preset,
            batch,
            layer: layer.name,
            kind: 'pool',
            inShape,
            params: [config.poolSize![0]!, config.strides![0]!],
            pad: config.padding!,
          },
        ];
      return [];
    });
  } finally {
    model.dispose();
  }
}

const cases = [
  ...layerCases('keras-cifar-cnn', [28, 28, 1]),
  ...layerCases('keras-cifar-cnn', [32, 32, 3]).slice(0, 2),
  ...layerCases('lenet5', [28, 28, 1]),
  ...layerCases('vgg-bn', [28, 28, 1]),
];

/** Gradients of sum(layer(x)·upstream) with respect to the input and every weight, as the layer trains. */
function layerGradients(c: LayerCase): Float32Array[] {
  return tf.tidy(() => {
    const x = filled(c.inShape, 1);
    if (c.kind === 'pool') {
      const [pool, stride] = c.params as [number, number];
      // ties, as after a ReLU: the choice among equal maxima matters
      const tied = tf.relu(x);
      const out = tf.maxPool(tied as tf.Tensor4D, pool, stride, c.pad);
      const upstream = filled(out.shape, 4);
      return [
        tf
          .grad((xx: tf.Tensor) =>
            tf
              .maxPool(xx as tf.Tensor4D, pool, stride, c.pad)
              .mul(upstream)
              .sum(),
          )(tied)
          .dataSync() as Float32Array,
      ];
    }
    const w = filled(c.params, 2).mul(0.2);
    const bias = filled([c.params.at(-1)!], 3);
    const forward = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      c.kind === 'conv'
        ? tf.relu(tf.add(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, c.pad), bb))
        : tf.relu(tf.add(tf.matMul(xx.reshape([c.batch, -1]), ww as tf.Tensor2D), bb));
    const upstream = filled(forward(x, w, bias).shape, 4);
    const grads = tf.grads((xx, ww, bb) => forward(xx!, ww!, bb!).mul(upstream).sum())([x, w, bias]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

describe('wasm training kernels at the presets’ layer shapes', () => {
  for (const c of cases) {
    it(`${c.preset} ${c.layer} (batch ${c.batch}): ${c.kind} on ${c.inShape.join('×')} (${c.params.join('×')}, ${c.pad}) matches cpu`, async () => {
      await tf.setBackend('cpu');
      const expected = layerGradients(c);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = layerGradients(c);
      const again = layerGradients(c);
      expect(tf.memory().numTensors).toBe(before);
      expect(actual).toHaveLength(expected.length);
      actual.forEach((a, i) => {
        expect(a.length).toBe(expected[i]!.length);
        expect(expected[i]!.some((v) => v !== 0)).toBe(true);
        // pooling moves gradients exactly; products sum thousands of terms in another order
        expect(maxRelativeError(a, expected[i]!)).toBeLessThanOrEqual(c.kind === 'pool' ? 1e-6 : 1e-4);
        // the same inputs give the same bits, run after run
        expect(Buffer.from(again[i]!.buffer).equals(Buffer.from(a.buffer))).toBe(true);
      });
    }, 60_000);
  }
});
