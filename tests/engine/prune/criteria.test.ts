import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { allKernels } from '../../../src/main/engine/prune/prunableKernels';
import { computeSaliency, lampScores } from '../../../src/main/engine/prune/saliency';
import { disposeCalibration, makeCalibrationBatches } from '../../../src/main/engine/prune/calibration';
import { classes, smallCnn, trainSet, useCpuAndCheckLeaks } from './fixtures';

useCpuAndCheckLeaks();

/**
 * logits = x·W (no bias), one sample x = [1, 2, 0]: the third input is always zero, so its row of W
 * gets zero gradient. With softmax cross-entropy, ∂L/∂W[i][j] = x[i]·(p[j] − y[j]).
 */
function linearCase() {
  const w = [
    [0.5, -2.0],
    [-0.25, 1.0],
    [3.0, -4.0],
  ];
  const model = tf.sequential({
    layers: [tf.layers.dense({ name: 'lin', inputShape: [3], units: 2, useBias: false })],
  });
  const kernel = tf.tensor2d(w);
  model.layers[0]!.setWeights([kernel]);
  kernel.dispose();
  const x = [1, 2, 0];
  const y = [0, 1];
  const z = [0, 1].map((j) => x.reduce((a, xi, i) => a + xi * w[i]![j]!, 0));
  const e = z.map((v) => Math.exp(v - Math.max(...z)));
  const p = e.map((v) => v / e.reduce((a, b) => a + b, 0));
  const grad = w.map((row, i) => row.map((_, j) => x[i]! * (p[j]! - y[j]!)));
  const batch = { x: tf.tensor2d([x]) as unknown as tf.Tensor4D, y: tf.tensor2d([y]) };
  return { model, w, grad, batch };
}

describe('saliency criteria', () => {
  it('taylor is |w·∂L/∂w| and gradient is |∂L/∂w|; a weight with zero gradient scores zero under both', () => {
    const { model, w, grad, batch } = linearCase();
    const kernels = allKernels(model);
    const taylor = computeSaliency(model, kernels, 'taylor', [batch], 0).get('lin/kernel')!;
    const gradient = computeSaliency(model, kernels, 'gradient', [batch], 0).get('lin/kernel')!;
    const flatW = w.flat();
    const flatG = grad.flat();
    flatW.forEach((wi, i) => {
      expect(taylor[i]).toBeCloseTo(Math.abs(wi * flatG[i]!), 5);
      expect(gradient[i]).toBeCloseTo(Math.abs(flatG[i]!), 5);
    });
    // row 2 (input always 0): the biggest weights, yet zero saliency
    expect([taylor[4], taylor[5], gradient[4], gradient[5]]).toEqual([0, 0, 0, 0]);
    // taylor ranks w=0.5·|g| below −0.25·2|g| … check the order matches the hand computation
    const expectedOrder = [...flatW.keys()].sort(
      (a, b) => Math.abs(flatW[a]! * flatG[a]!) - Math.abs(flatW[b]! * flatG[b]!),
    );
    const order = [...flatW.keys()].sort((a, b) => taylor[a]! - taylor[b]!);
    expect(order).toEqual(expectedOrder);
    disposeCalibration([batch]);
    model.dispose();
  });

  it('magnitude is |w|, and random is seeded uniform', () => {
    const { model, w, batch } = linearCase();
    const kernels = allKernels(model);
    const magnitude = computeSaliency(model, kernels, 'magnitude', [batch], 0).get('lin/kernel')!;
    expect([...magnitude]).toEqual(w.flat().map(Math.abs));
    const r1 = computeSaliency(model, kernels, 'random', [], 7).get('lin/kernel')!;
    const r2 = computeSaliency(model, kernels, 'random', [], 7).get('lin/kernel')!;
    const r3 = computeSaliency(model, kernels, 'random', [], 8).get('lin/kernel')!;
    expect([...r1]).toEqual([...r2]);
    expect([...r1]).not.toEqual([...r3]);
    expect([...r1].every((v) => v >= 0 && v < 1)).toBe(true);
    disposeCalibration([batch]);
    model.dispose();
  });

  it('fisher is ½·w²·mean over images of (∂L/∂w)², from per-example gradients', () => {
    const { model, w, batch: unused } = linearCase();
    disposeCalibration([unused]);
    // two images in one calibration batch: the mean of squared per-image gradients is not the square of
    // the batch's mean gradient, so only per-example gradients give the hand-computed value
    const xs = [
      [1, 2, 0],
      [-1, 0.5, 0],
    ];
    const ys = [
      [0, 1],
      [1, 0],
    ];
    const perImage = xs.map((x, n) => {
      const z = [0, 1].map((j) => x.reduce((a, xi, i) => a + xi * w[i]![j]!, 0));
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      const p = e.map((v) => v / e.reduce((a, b) => a + b, 0));
      return w.flatMap((row, i) => row.map((_, j) => x[i]! * (p[j]! - ys[n]![j]!)));
    });
    const batch = { x: tf.tensor2d(xs) as unknown as tf.Tensor4D, y: tf.tensor2d(ys) };
    const kernels = allKernels(model);
    const fisher = computeSaliency(model, kernels, 'fisher', [batch], 0).get('lin/kernel')!;
    w.flat().forEach((wi, i) => {
      const meanSquare = (perImage[0]![i]! ** 2 + perImage[1]![i]! ** 2) / 2;
      expect(fisher[i]).toBeCloseTo(0.5 * wi * wi * meanSquare, 6);
    });
    // the squared batch-mean gradient would differ on every weight the two images disagree on
    const squaredMean = ((perImage[0]![0]! + perImage[1]![0]!) / 2) ** 2;
    expect(Math.abs(fisher[0]! - 0.5 * w[0]![0]! ** 2 * squaredMean)).toBeGreaterThan(1e-3);
    expect([fisher[4], fisher[5]]).toEqual([0, 0]);
    disposeCalibration([batch]);
    model.dispose();
  });

  it('lamp is w² over the sum of squares of the weights at least as large, per layer', () => {
    const { model, w, batch } = linearCase();
    const lamp = computeSaliency(model, allKernels(model), 'lamp', [batch], 0).get('lin/kernel')!;
    const flat = w.flat();
    flat.forEach((wi, i) => {
      const tail = flat.filter((v) => v * v >= wi * wi).reduce((a, v) => a + v * v, 0);
      expect(lamp[i]).toBeCloseTo((wi * wi) / tail, 6);
    });
    // the largest weight of a layer always scores 1; the order within the layer is magnitude's
    expect(Math.max(...lamp)).toBeCloseTo(1, 6);
    expect([...lamp.keys()].sort((a, b) => lamp[a]! - lamp[b]!)).toEqual(
      [...flat.keys()].sort((a, b) => Math.abs(flat[a]!) - Math.abs(flat[b]!)),
    );
    // equal magnitudes: earlier in memory ranks lower, deterministically
    expect([...lampScores(Float32Array.from([2, -2, 1]))]).toEqual([
      Math.fround(4 / 8),
      Math.fround(4 / 4),
      Math.fround(1 / 9),
    ]);
    disposeCalibration([batch]);
    model.dispose();
  });

  it('movement has no calibration form: asking for it says to accumulate while training', () => {
    const { model, batch } = linearCase();
    expect(() => computeSaliency(model, allKernels(model), 'movement', [batch], 0)).toThrow(
      /accumulated while training/,
    );
    disposeCalibration([batch]);
    model.dispose();
  });

  it('averages over N calibration batches and changes no weight or batch-norm statistic', () => {
    const model = smallCnn({ batchNorm: true });
    const before = model.weights.map((v) => [...v.read().dataSync()]);
    const batches = makeCalibrationBatches(trainSet, classes, { batches: 3, batchSize: 8, seed: 1 });
    const kernels = allKernels(model);
    const all = computeSaliency(model, kernels, 'gradient', batches, 0);
    const each = batches.map((b) => computeSaliency(model, kernels, 'gradient', [b], 0));
    for (const k of kernels) {
      const mean = all.get(k.key)!;
      const parts = each.map((s) => s.get(k.key)!);
      for (let i = 0; i < mean.length; i += 17) {
        expect(mean[i]).toBeCloseTo((parts[0]![i]! + parts[1]![i]! + parts[2]![i]!) / 3, 6);
      }
    }
    expect(model.weights.map((v) => [...v.read().dataSync()])).toEqual(before);
    disposeCalibration(batches);
    model.dispose();
  });
});
