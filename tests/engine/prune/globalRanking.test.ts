import { describe, expect, it } from 'vitest';
import {
  CALIBRATION_BATCH_SIZE,
  disposeCalibration,
  makeCalibrationBatches,
} from '../../../src/main/engine/prune/calibration';
import { disposeMasks, prunedFlags } from '../../../src/main/engine/prune/masks';
import { findPrunableKernels } from '../../../src/main/engine/prune/prunableKernels';
import { runPruneSession } from '../../../src/main/engine/prune/pruneSession';
import { computeSaliency, layerNormalization } from '../../../src/main/engine/prune/saliency';
import {
  l2Normalized,
  lampNormalized,
  meanNormalized,
  selectWeights,
} from '../../../src/main/engine/prune/selection';
import { createRng } from '../../../src/main/engine/train/rng';
import {
  basePrune,
  classes,
  classNames,
  finetuneConfig,
  smallCnn,
  testSet,
  trainSet,
  useCpuAndCheckLeaks,
} from './fixtures';

useCpuAndCheckLeaks();

const pruned = (keep: Uint8Array) => keep.reduce((a, k) => a + (k ? 0 : 1), 0);
const uniform = (n: number, seed: number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next());
};

describe('per-layer L2 normalisation', () => {
  it('divides by the L2 norm of the unpruned scores, keeps −∞ and the order, leaves all-zero alone', () => {
    const n = l2Normalized(Float32Array.from([3, -Infinity, 4, 0]));
    expect(n[0]).toBeCloseTo(0.6, 6);
    expect(n[1]).toBe(-Infinity);
    expect(n[2]).toBeCloseTo(0.8, 6);
    expect(n[3]).toBe(0);
    expect([...l2Normalized(new Float32Array(3))]).toEqual([0, 0, 0]);
    const s = uniform(100, 1);
    const t = l2Normalized(s);
    let sumSquares = 0;
    t.forEach((v) => (sumSquares += v * v));
    expect(sumSquares).toBeCloseTo(1, 5);
    for (let i = 1; i < s.length; i++)
      expect(Math.sign(t[i]! - t[i - 1]!)).toBe(Math.sign(s[i]! - s[i - 1]!));
  });

  it('makes a global ranking blind to a layer-wide scale: the same scores ×1000 lose the same fraction', () => {
    const base = uniform(1000, 2);
    const layers = [
      { key: 'small', scores: base },
      { key: 'large', scores: base.map((v) => v * 1000) },
    ];
    const rules = {
      target: { kind: 'sparsity' as const, value: 0.6 },
      scope: 'global' as const,
      minKeptFraction: 0.01,
    };
    // raw: the small-scale layer goes down to its floor first
    const raw = selectWeights(layers, rules);
    expect(pruned(raw[0]!.keep)).toBe(990);
    expect(pruned(raw[1]!.keep)).toBe(210);
    // normalised: both lose exactly 60%, and the same weights
    const normalised = selectWeights(layers, { ...rules, normalization: 'l2' });
    expect(pruned(normalised[0]!.keep)).toBe(600);
    expect(pruned(normalised[1]!.keep)).toBe(600);
    expect([...normalised[0]!.keep]).toEqual([...normalised[1]!.keep]);
    // the reported threshold stays in the layer's raw score units
    expect(normalised[1]!.threshold).toBeCloseTo(normalised[0]!.threshold * 1000, 2);
  });

  it('changes nothing under layer scope', () => {
    const layers = [
      { key: 'a', scores: uniform(300, 3) },
      { key: 'b', scores: uniform(500, 4).map((v) => v * 50) },
    ];
    const rules = {
      target: { kind: 'sparsity' as const, value: 0.7 },
      scope: 'layer' as const,
      minKeptFraction: 0.01,
    };
    const plain = selectWeights(layers, rules);
    const flagged = selectWeights(layers, { ...rules, normalization: 'l2' });
    expect(flagged.map((s) => [...s.keep])).toEqual(plain.map((s) => [...s.keep]));
  });

  it('l2 for first-order gradient scores on weights, mean for units, raw for the rest', () => {
    for (const c of ['taylor', 'gradient', 'movement'] as const) expect(layerNormalization(c)).toBe('l2');
    // fisher is a loss change (comparable across layers); lamp is normalised by definition
    for (const c of ['fisher', 'magnitude', 'lamp', 'random'] as const)
      expect(layerNormalization(c)).toBe('none');
    // a unit's summed score grows with its fan-in; L2 would favour emptying the widest layer
    for (const c of ['fisher', 'taylor', 'gradient', 'magnitude'] as const) {
      expect(layerNormalization(c, 'structured')).toBe('mean');
    }
    expect(layerNormalization('lamp', 'structured')).toBe('none');
    expect(layerNormalization('random', 'structured')).toBe('none');
  });

  it('mean normalisation: a unit at its layer mean scores 1 however wide the layer', () => {
    expect([...meanNormalized(Float32Array.from([1, 3, -Infinity]))]).toEqual([0.5, 1.5, -Infinity]);
    expect([...meanNormalized(new Float32Array(2))]).toEqual([0, 0]);
    // two layers of equal units, 4 and 12 wide: half of all units goes evenly, not from the wide one
    const layers = [
      { key: 'narrow', scores: Float32Array.from([2, 2.1, 1.9, 2]) },
      {
        key: 'wide',
        scores: Float32Array.from([1, 1.05, 0.95, 1, 1.02, 0.98, 1, 1.01, 0.99, 1, 1.03, 0.97]),
      },
    ];
    const [narrow, wide] = selectWeights(layers, {
      target: { kind: 'sparsity', value: 0.5 },
      scope: 'global',
      minKeptFraction: 0.01,
      normalization: 'mean',
    });
    expect(narrow!.pruned).toBeGreaterThanOrEqual(1);
    expect(wide!.pruned).toBeLessThan(11);
    const l2 = selectWeights(layers, {
      target: { kind: 'sparsity', value: 0.5 },
      scope: 'global',
      minKeptFraction: 0.01,
      normalization: 'l2',
    });
    expect(l2[1]!.pruned).toBe(8); // L2: the 12-wide layer's units (≈0.29) all rank below the narrow's (0.5)
  });
});

describe('calibration batches', () => {
  it('hold CALIBRATION_BATCH_SIZE images each, seeded', () => {
    const a = makeCalibrationBatches(trainSet, classes, {
      batches: 3,
      batchSize: CALIBRATION_BATCH_SIZE,
      seed: 4,
    });
    const b = makeCalibrationBatches(trainSet, classes, {
      batches: 3,
      batchSize: CALIBRATION_BATCH_SIZE,
      seed: 4,
    });
    expect(a.map((x) => x.x.shape[0])).toEqual([16, 16, 16]);
    expect(a.map((x) => [...x.x.dataSync()])).toEqual(b.map((x) => [...x.x.dataSync()]));
    disposeCalibration(a);
    disposeCalibration(b);
  });

  it('a global taylor prune scores on 16-image batches and ranks on normalised scores, whatever the fine-tune batch size', async () => {
    const prune = {
      ...basePrune,
      scope: 'global' as const,
      target: { kind: 'sparsity' as const, value: 0.75 },
      calibrationBatches: 3,
      finetuneEpochs: 0,
    };
    // what the session should do, step by step
    const reference = smallCnn({ seed: 2 });
    const kernels = findPrunableKernels(reference, prune);
    const batches = makeCalibrationBatches(trainSet, classes, {
      batches: 3,
      batchSize: CALIBRATION_BATCH_SIZE,
      seed: finetuneConfig.seed,
    });
    const scores = computeSaliency(reference, kernels, 'taylor', batches, finetuneConfig.seed);
    disposeCalibration(batches);
    const expected = selectWeights(
      kernels.map((k) => ({ key: k.key, scores: scores.get(k.key)! })),
      {
        target: prune.target,
        scope: 'global',
        minKeptFraction: prune.minKeptFraction,
        normalization: 'l2',
      },
    );
    const unnormalised = selectWeights(
      kernels.map((k) => ({ key: k.key, scores: scores.get(k.key)! })),
      { target: prune.target, scope: 'global', minKeptFraction: prune.minKeptFraction },
    );
    // the case must tell the two rankings apart, or the check below would prove nothing
    expect(expected.map((s) => s.pruned)).not.toEqual(unnormalised.map((s) => s.pruned));
    reference.dispose();

    for (const batchSize of [8, 32]) {
      const model = smallCnn({ seed: 2 });
      const result = await runPruneSession({
        model,
        train: trainSet,
        validation: null,
        test: testSet,
        classNames,
        prune,
        finetune: { ...finetuneConfig, batchSize },
        measureLatency: false,
      });
      for (const selection of expected) {
        const flags = prunedFlags(result.masks, selection.key)!;
        expect([...flags].map((f) => 1 - f)).toEqual([...selection.keep]);
      }
      disposeMasks(result.masks);
      model.dispose();
    }
  });
});

describe('LAMP rescaling of any score (the bench variant #lamp)', () => {
  it('scores s² ÷ the sum of squares of the unpruned scores at least as large; pruned stay −∞', () => {
    const out = lampNormalized(Float32Array.from([3, 1, Number.NEGATIVE_INFINITY, 2]));
    // order 1 < 2 < 3: tails 14, 13, 9
    expect(out[0]).toBeCloseTo(9 / 9, 6);
    expect(out[3]).toBeCloseTo(4 / 13, 6);
    expect(out[1]).toBeCloseTo(1 / 14, 6);
    expect(out[2]).toBe(Number.NEGATIVE_INFINITY);
  });
});
