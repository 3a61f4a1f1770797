import { describe, expect, it } from 'vitest';
import { countFlops, flopsByLayer } from '../../../src/main/engine/models/counts';
import { disposeCalibration, makeCalibrationBatches } from '../../../src/main/engine/prune/calibration';
import { disposeMasks, type WeightMasks } from '../../../src/main/engine/prune/masks';
import { findPrunableKernels } from '../../../src/main/engine/prune/prunableKernels';
import { pruneUnstructuredStep } from '../../../src/main/engine/prune/pruneStep';
import { classes, smallCnn, trainSet, useCpuAndCheckLeaks } from './fixtures';

useCpuAndCheckLeaks();

describe('what gets pruned', () => {
  it('conv and dense kernels only; first and last layer as configured', () => {
    const model = smallCnn({ batchNorm: true });
    const names = (first: boolean, last: boolean) =>
      findPrunableKernels(model, { pruneFirstLayer: first, pruneLastLayer: last }).map((k) => k.key);
    expect(names(true, true)).toEqual(['c1/kernel', 'c2/kernel', 'd1/kernel', 'logits/kernel']);
    expect(names(false, true)).toEqual(['c2/kernel', 'd1/kernel', 'logits/kernel']);
    expect(names(true, false)).toEqual(['c1/kernel', 'c2/kernel', 'd1/kernel']);
    expect(() =>
      findPrunableKernels(model, { pruneFirstLayer: true, pruneLastLayer: true, onlyLayers: ['bn1'] }),
    ).toThrow(/No prunable layer named bn1/);
    model.dispose();
  });

  it('a prune step never touches biases or batch-norm parameters, and reports totals that add up', () => {
    const model = smallCnn({ batchNorm: true });
    const untouched = () =>
      model.weights.filter((w) => !w.originalName.endsWith('/kernel')).map((w) => [...w.read().dataSync()]);
    const before = untouched();
    const masks: WeightMasks = new Map();
    const batches = makeCalibrationBatches(trainSet, classes, { batches: 2, batchSize: 8, seed: 2 });
    const dense = { parameters: model.countParams(), flops: countFlops(model) };
    const report = pruneUnstructuredStep({
      model,
      kernels: findPrunableKernels(model, { pruneFirstLayer: false, pruneLastLayer: true }),
      masks,
      criterion: 'taylor',
      rules: { target: { kind: 'sparsity', value: 0.9 }, scope: 'global', minKeptFraction: 0.05 },
      batches,
      seed: 1,
      step: 1,
      atStep: 0,
      dense,
    });
    expect(untouched()).toEqual(before);
    expect(
      model
        .getLayer('c1')
        .getWeights()[0]!
        .dataSync()
        .every((v) => v !== 0),
    ).toBe(true); // first layer kept
    expect(report.layers.map((l) => l.name)).toEqual(['c2', 'd1', 'logits']);
    const t = report.totals;
    expect(t.prunableWeights).toBe(report.layers.reduce((a, l) => a + l.weights, 0));
    expect(t.keptPrunableWeights).toBe(Math.round(0.1 * t.prunableWeights));
    expect(report.achievedSparsity).toBeCloseTo(0.9, 3);
    for (const l of report.layers) expect(l.kept).toBeGreaterThanOrEqual(Math.ceil(0.05 * l.weights));
    const flops = flopsByLayer(model);
    const expected = [...flops].reduce((a, [name, f]) => {
      const l = report.layers.find((x) => x.name === name);
      return a + (l ? (f * l.kept) / l.weights : f);
    }, 0);
    expect(t.effectiveFlops).toBeCloseTo(expected, 6);
    expect(t.effectiveFlops).toBeLessThan(t.denseFlops);
    expect(t.nonzeroParameters).toBeLessThan(t.parameters);
    expect(t.compressionRatio).toBeCloseTo(dense.parameters / t.nonzeroParameters, 9);
    disposeCalibration(batches);
    disposeMasks(masks);
    model.dispose();
  });
});
