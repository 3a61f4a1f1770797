import { describe, expect, it } from 'vitest';
import { disposeCalibration, makeCalibrationBatches } from '../../../src/main/engine/prune/calibration';
import { disposeMasks, type WeightMasks } from '../../../src/main/engine/prune/masks';
import { findPrunableKernels } from '../../../src/main/engine/prune/prunableKernels';
import { pruneUnstructuredStep } from '../../../src/main/engine/prune/pruneStep';
import { analyzeSensitivity, measureOn } from '../../../src/main/engine/prune/sensitivity';
import { classes, smallCnn, trainSet, validationSet, useCpuAndCheckLeaks } from './fixtures';

useCpuAndCheckLeaks();

const selection = { pruneFirstLayer: true, pruneLastLayer: true };

describe('sensitivity analysis', () => {
  it('each figure equals a real prune of only that layer to that sparsity (≤ 1e-6), and the model is restored', async () => {
    const sparsities = [0, 0.5, 0.9, 0.95];
    const model = smallCnn({ batchNorm: true });
    const before = model.weights.map((w) => [...w.read().dataSync()]);
    const batches = makeCalibrationBatches(trainSet, classes, { batches: 2, batchSize: 8, seed: 9 });
    const streamed: string[] = [];
    const curves = await analyzeSensitivity({
      model,
      kernels: findPrunableKernels(model, selection),
      criterion: 'taylor',
      batches,
      seed: 4,
      sparsities,
      set: validationSet,
      classes,
      onCurve: (c) => streamed.push(c.layer),
    });
    expect(curves.map((c) => c.layer)).toEqual(['c1', 'c2', 'd1', 'logits']);
    expect(streamed).toEqual(['c1', 'c2', 'd1', 'logits']);
    expect(model.weights.map((w) => [...w.read().dataSync()])).toEqual(before);

    // the real thing, for two layers at every level: prune only that layer with the ordinary prune step
    for (const layer of ['c2', 'd1']) {
      const curve = curves.find((c) => c.layer === layer)!;
      for (const [i, sparsity] of sparsities.entries()) {
        const fresh = smallCnn({ batchNorm: true });
        const masks: WeightMasks = new Map();
        const report = pruneUnstructuredStep({
          model: fresh,
          kernels: findPrunableKernels(fresh, { ...selection, onlyLayers: [layer] }),
          masks,
          criterion: 'taylor',
          rules: { target: { kind: 'sparsity', value: sparsity }, scope: 'layer', minKeptFraction: 0.01 },
          batches,
          seed: 4,
          step: 1,
          atStep: 0,
          dense: { parameters: 0, flops: 0 },
        });
        expect(report.layers[0]!.sparsity).toBeCloseTo(sparsity, 2);
        const real = await measureOn(fresh, validationSet, classes);
        expect(Math.abs(real.accuracy - curve.accuracies[i]!)).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(real.loss - curve.losses[i]!)).toBeLessThanOrEqual(1e-6);
        disposeMasks(masks);
        fresh.dispose();
      }
      // pruning must bite somewhere, or the comparison above proves nothing
      expect(curve.losses[3]).not.toBe(curve.losses[0]);
    }
    disposeCalibration(batches);
    model.dispose();
  });
});
