import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { disposeCalibration, makeCalibrationBatches } from '../../../src/main/engine/prune/calibration';
import { countFlops } from '../../../src/main/engine/models/counts';
import { shrinkModel, zeroRemovedUnits } from '../../../src/main/engine/prune/structured/shrink';
import {
  initialStructuredState,
  pruneStructuredStep,
} from '../../../src/main/engine/prune/structured/structuredStep';
import { unpackBitmap } from '../../../src/main/engine/prune/bitmap';
import { makeBatch } from '../../../src/main/engine/train/batches';
import { classes, smallCnn, testSet, trainSet, useCpuAndCheckLeaks } from './fixtures';

useCpuAndCheckLeaks();

function logitsOf(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => {
    const { x } = makeBatch(
      testSet,
      Array.from({ length: testSet.count }, (_, i) => i),
      classes,
    );
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

const keepUnits = new Map([
  ['c1', [0, 2, 3, 5]],
  ['c2', [1, 2, 4, 6, 7]],
  ['d1', [0, 3, 4, 8]],
]);

describe('structured shrink', () => {
  for (const batchNorm of [false, true]) {
    it(`removes filters and units physically and keeps the masked model's logits (batch norm: ${batchNorm})`, async () => {
      const model = smallCnn({ batchNorm });
      const masked = smallCnn({ batchNorm });
      zeroRemovedUnits(masked, keepUnits);
      const smaller = await shrinkModel(model, keepUnits);

      expect(smaller.getLayer('c1').getWeights()[0]!.shape).toEqual([3, 3, 1, 4]);
      expect(smaller.getLayer('c2').getWeights()[0]!.shape).toEqual([3, 3, 4, 5]);
      expect(smaller.getLayer('d1').getWeights()[0]!.shape).toEqual([3 * 3 * 5, 4]);
      expect(smaller.getLayer('logits').getWeights()[0]!.shape).toEqual([4, classes]);
      if (batchNorm) expect(smaller.getLayer('bn2').getWeights()[2]!.shape).toEqual([5]);
      expect(smaller.countParams()).toBeLessThan(model.countParams());
      expect(countFlops(smaller)).toBeLessThan(countFlops(model));

      const reference = logitsOf(masked);
      expect(maxAbsDiff(logitsOf(smaller), reference)).toBeLessThanOrEqual(1e-5);
      // removing units really matters: the unmasked model predicts differently
      expect(maxAbsDiff(logitsOf(model), reference)).toBeGreaterThan(1e-3);
      for (const m of [model, masked, smaller]) m.dispose();
    });
  }

  it('a structured prune step ranks units, shrinks the model and reports against the dense shapes', async () => {
    const model = smallCnn({ batchNorm: true });
    const dense = { parameters: model.countParams(), flops: countFlops(model) };
    const batches = makeCalibrationBatches(trainSet, classes, { batches: 2, batchSize: 8, seed: 3 });
    const {
      model: smaller,
      state,
      report,
    } = await pruneStructuredStep({
      model,
      state: initialStructuredState(model),
      criterion: 'taylor',
      rules: { target: { kind: 'sparsity', value: 0.5 }, scope: 'layer', minKeptFraction: 0.01 },
      pruneFirstLayer: true,
      batches,
      seed: 1,
      step: 1,
      atStep: 0,
      dense,
      measureLatency: true,
    });
    expect(state.unitOrigins.get('c1')).toHaveLength(3);
    expect(state.unitOrigins.get('c2')).toHaveLength(4);
    expect(state.unitOrigins.get('d1')).toHaveLength(5);
    expect(state.unitOrigins.get('logits')).toHaveLength(classes);

    // the masked twin of exactly this prune predicts like the smaller model
    const masked = smallCnn({ batchNorm: true });
    zeroRemovedUnits(masked, state.unitOrigins);
    expect(maxAbsDiff(logitsOf(smaller), logitsOf(masked))).toBeLessThanOrEqual(1e-5);

    const byName = new Map(report.layers.map((l) => [l.name, l]));
    for (const name of ['c1', 'c2', 'd1', 'logits']) {
      const layer = byName.get(name)!;
      const kernel = smaller.getLayer(name).getWeights()[0]!;
      expect(layer.kept).toBe(kernel.size);
      expect(unpackBitmap(layer.mask).reduce((a, b) => a + b, 0)).toBe(layer.kept);
    }
    expect(byName.get('logits')!.weights).toBe(10 * classes);
    expect(report.totals.parameters).toBe(smaller.countParams());
    expect(report.totals.effectiveFlops).toBe(countFlops(smaller));
    expect(report.totals.compressionRatio).toBeGreaterThan(1);
    // both models timed alike at batch 1 and 64
    expect(report.totals.latency!.byBatch.map((b) => b.batchSize)).toEqual([1, 64]);
    for (const b of report.totals.latency!.byBatch) {
      expect(b.beforeMs).toBeGreaterThan(0);
      expect(b.afterMs).toBeGreaterThan(0);
    }
    // the target is a fraction of units, reported as such beside the weight sparsity
    expect(report.units).toBeDefined();
    expect(report.units!.sparsity).toBeCloseTo(report.units!.removed / report.units!.total, 12);
    expect(report.units!.sparsity).not.toBeCloseTo(report.achievedSparsity, 3);
    disposeCalibration(batches);
    for (const m of [model, masked, smaller]) m.dispose();
  });

  it('a second round removes more units, tracked against the dense model', async () => {
    const model = smallCnn({ batchNorm: true });
    const dense = { parameters: model.countParams(), flops: countFlops(model) };
    const batches = makeCalibrationBatches(trainSet, classes, { batches: 1, batchSize: 8, seed: 3 });
    const common = {
      criterion: 'magnitude' as const,
      pruneFirstLayer: false,
      batches,
      seed: 1,
      atStep: 0,
      dense,
    };
    const first = await pruneStructuredStep({
      ...common,
      model,
      state: initialStructuredState(model),
      rules: { target: { kind: 'sparsity', value: 0.5 }, scope: 'layer', minKeptFraction: 0.01 },
      step: 1,
    });
    const second = await pruneStructuredStep({
      ...common,
      model: first.model,
      state: first.state,
      rules: { target: { kind: 'sparsity', value: 0.75 }, scope: 'layer', minKeptFraction: 0.01 },
      step: 2,
    });
    expect(second.state.unitOrigins.get('c1')).toHaveLength(6); // first layer excluded
    expect(second.state.unitOrigins.get('c2')).toHaveLength(2); // 8 → 4 → 2
    expect(second.state.unitOrigins.get('d1')).toHaveLength(2); // 10 → 5 → 2 (round(7.5) = 8 removed)
    for (const name of ['c2', 'd1']) {
      const later = second.state.unitOrigins.get(name)!;
      expect(later.every((o) => first.state.unitOrigins.get(name)!.includes(o))).toBe(true);
    }
    const c2 = second.report.layers.find((l) => l.name === 'c2')!;
    expect(c2.weights).toBe(3 * 3 * 6 * 8);
    expect(c2.kept).toBe(3 * 3 * 6 * 2);
    // the twice-shrunk model still predicts like the dense one with those units zeroed
    const masked = smallCnn({ batchNorm: true });
    zeroRemovedUnits(masked, second.state.unitOrigins);
    expect(maxAbsDiff(logitsOf(second.model), logitsOf(masked))).toBeLessThanOrEqual(1e-5);
    disposeCalibration(batches);
    for (const m of [model, first.model, second.model, masked]) m.dispose();
  });

  it('refuses a removed unit whose activation does not map 0 to 0', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ name: 'h', inputShape: [4], units: 3, activation: 'sigmoid' }),
        tf.layers.dense({ name: 'out', units: 2 }),
      ],
    });
    await expect(shrinkModel(model, new Map([['h', [0]]]))).rejects.toThrow(/sigmoid/);
    model.dispose();
  });
});
