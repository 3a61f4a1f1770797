import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { PruneStepReport } from '../../../src/shared/dto';
import { countRevivedWeights, disposeMasks } from '../../../src/main/engine/prune/masks';
import { gradualSparsity } from '../../../src/main/engine/prune/schedules';
import { imageSubset } from '../../../src/main/engine/prune/subset';
import { runPruneSession, type PruneSessionInput } from '../../../src/main/engine/prune/pruneSession';
import { loadLatestPruneCheckpoint } from '../../../src/main/engine/prune/pruneCheckpoint';
import {
  basePrune,
  classNames,
  finetuneConfig,
  kernelValues,
  smallCnn,
  testSet,
  trainSet,
  useCpuAndCheckLeaks,
  validationSet,
} from './fixtures';

useCpuAndCheckLeaks();

/** What the checkpoints of the small CNN say about its model. */
const meta = {
  preset: 'lenet5' as const,
  inputShape: [12, 12, 1] as [number, number, number],
  classes: classNames,
  runId: 'r',
  output: 'logits' as const,
};

function sessionInput(overrides: Partial<PruneSessionInput> = {}): PruneSessionInput {
  return {
    model: overrides.model ?? smallCnn(),
    train: trainSet,
    validation: null,
    test: testSet,
    classNames,
    prune: basePrune,
    finetune: finetuneConfig,
    measureLatency: false,
    ...overrides,
  };
}

/** Top-1 accuracy of a model on a set, synchronously (usable inside a report callback). */
function accuracyOn(model: tf.LayersModel, set: typeof testSet): number {
  return tf.tidy(() => {
    const x = tf.tensor4d(set.images, [set.count, set.height, set.width, set.channels], 'float32').div(255);
    const predicted = Array.from((model.predict(x) as tf.Tensor).argMax(1).dataSync());
    return predicted.filter((p, i) => p === set.labels[i]).length / set.count;
  });
}

function zeroWhereMasked(result: {
  model: import('@tensorflow/tfjs').LayersModel;
  reports: PruneStepReport[];
}) {
  // the last report's layers are the masks; count kernel zeros where they say "pruned"
  return result.reports.at(-1)!.layers.map((l) => ({ name: l.name, pruned: l.weights - l.kept }));
}

describe('prune session', () => {
  for (const optimizer of ['adam', 'sgd'] as const) {
    it(`no pruned weight comes back after fine-tuning with ${optimizer}${optimizer === 'sgd' ? ' + momentum' : ''}`, async () => {
      const result = await runPruneSession(
        sessionInput({
          finetune: { ...finetuneConfig, optimizer, momentum: 0.9, learningRate: 0.05, epochs: 1 },
          prune: { ...basePrune, finetuneEpochs: 2, target: { kind: 'sparsity', value: 0.7 } },
        }),
      );
      expect(result.revivedWeights).toBe(0);
      expect(countRevivedWeights(result.model, result.masks)).toBe(0);
      // the weights did train (or "no revival" would be trivial) and each layer holds its zeros
      for (const { name, pruned } of zeroWhereMasked(result)) {
        const values = kernelValues(result.model, name);
        expect(values.filter((v) => v === 0).length).toBeGreaterThanOrEqual(pruned);
        expect(values.some((v) => v !== 0)).toBe(true);
      }
      expect(result.finetuneEpochs).toBe(2);
      // measured right after pruning on the whole test split: its accuracy is its own predictions' hit rate
      const predicted = result.prunedEvaluation!.predictions!;
      expect(predicted).toHaveLength(testSet.count);
      const hits = predicted.filter((p, i) => p === testSet.labels[i]).length;
      expect(result.prunedEvaluation!.accuracy).toBeCloseTo(hits / testSet.count, 12);
      disposeMasks(result.masks);
      result.model.dispose();
    });
  }

  it('runs a 99% target and meets it exactly per layer (± one weight)', async () => {
    const result = await runPruneSession(
      sessionInput({ prune: { ...basePrune, target: { kind: 'sparsity', value: 0.99 }, finetuneEpochs: 1 } }),
    );
    for (const layer of result.reports[0]!.layers) {
      expect(Math.abs(layer.weights - layer.kept - 0.99 * layer.weights)).toBeLessThanOrEqual(1);
      expect(layer.kept).toBeGreaterThanOrEqual(1);
    }
    expect(result.revivedWeights).toBe(0);
    disposeMasks(result.masks);
    result.model.dispose();
  });

  it('iterative:3 rises geometrically to the target, masks only growing', async () => {
    const result = await runPruneSession(
      sessionInput({
        prune: { ...basePrune, schedule: { kind: 'iterative', rounds: 3 }, finetuneEpochs: 1 },
      }),
    );
    const achieved = result.reports.map((r) => r.achievedSparsity);
    [1, 2, 3].forEach((round, i) => {
      expect(achieved[i]).toBeCloseTo(1 - Math.pow(0.2, round / 3), 2);
    });
    expect(result.reports.map((r) => r.atStep)).toEqual([0, 3, 6]);
    expect(result.revivedWeights).toBe(0);
    disposeMasks(result.masks);
    result.model.dispose();
  });

  it('measures every prune step right after it prunes, before fine-tuning: iterative ×3 has three drops', async () => {
    const model = smallCnn();
    // what the model scores at the moment each report arrives (fine-tuning has not started yet)
    const atReport: number[] = [];
    const result = await runPruneSession(
      sessionInput({
        model,
        prune: {
          ...basePrune,
          target: { kind: 'sparsity', value: 0.95 },
          schedule: { kind: 'iterative', rounds: 3 },
          finetuneEpochs: 2,
        },
        onReport: () => atReport.push(accuracyOn(model, testSet)),
      }),
    );
    expect(result.reports.map((r) => r.atEpoch)).toEqual([0, 2, 4]);
    expect(result.reports.map((r) => r.afterPrune?.images)).toEqual([24, 24, 24]);
    expect(result.reports.map((r) => r.afterPrune?.split)).toEqual(['test', 'test', 'test']);
    result.reports.forEach((r, i) => expect(r.afterPrune!.accuracy).toBeCloseTo(atReport[i]!, 6));
    // the last step's measure is the pruned evaluation the task reports
    expect(result.reports[2]!.afterPrune!.accuracy).toBe(result.prunedEvaluation!.accuracy);
    expect(result.reports[2]!.afterPrune!.loss).toBe(result.prunedEvaluation!.loss);
    expect(result.revivedWeights).toBe(0);
    disposeMasks(result.masks);
    result.model.dispose();
  });

  it('gradual: every prune step lands on the cubic schedule (± one weight per layer)', async () => {
    const schedule = { kind: 'gradual' as const, startStep: 1, endStep: 7, frequency: 2 };
    const target = 0.9;
    const result = await runPruneSession(
      sessionInput({
        prune: { ...basePrune, schedule, target: { kind: 'sparsity', value: target }, finetuneEpochs: 3 },
      }),
    );
    // 48 images / 16 = 3 steps per epoch → steps 0…8; prune at 3, 5, 7 (step 1 has sparsity 0)
    expect(result.reports.map((r) => r.atStep)).toEqual([3, 5, 7]);
    // between batches: fractional fine-tune epochs, each step measured right after it prunes
    expect(result.reports.map((r) => r.atEpoch)).toEqual([1, 5 / 3, 7 / 3]);
    expect(result.reports.every((r) => r.afterPrune?.images === testSet.count)).toBe(true);
    for (const report of result.reports) {
      const expected = gradualSparsity(report.atStep, schedule, target);
      expect(expected).toBeCloseTo(target * (1 - Math.pow(1 - (report.atStep - 1) / 6, 3)), 12);
      for (const layer of report.layers) {
        expect(Math.abs(layer.weights - layer.kept - expected * layer.weights)).toBeLessThanOrEqual(1);
      }
    }
    expect(result.reports.at(-1)!.achievedSparsity).toBeCloseTo(target, 2);
    expect(result.revivedWeights).toBe(0);
    disposeMasks(result.masks);
    result.model.dispose();
  });

  it('gradual with early stopping configured still reaches its target: stopping waits for the last prune step', async () => {
    // validation = the training images with wrong labels: the better the model learns, the worse its
    // validation loss — early stopping (patience 1) would fire after the second epoch, before step 7
    const mislabelled = {
      ...trainSet,
      labels: trainSet.labels.map((l) => (l + 1) % classNames.length),
    };
    const schedule = { kind: 'gradual' as const, startStep: 0, endStep: 7, frequency: 2 };
    const finetune = { ...finetuneConfig, earlyStoppingPatience: 1, learningRate: 0.02 };
    const losses: number[] = [];
    const result = await runPruneSession(
      sessionInput({
        validation: mislabelled,
        finetune,
        prune: { ...basePrune, schedule, target: { kind: 'sparsity', value: 0.9 }, finetuneEpochs: 4 },
        onEpoch: (e) => void losses.push(e.validationLoss!),
      }),
    );
    // the setup does make validation loss rise after the first epoch (what used to stop the run)
    expect(losses[1]).toBeGreaterThan(losses[0]!);
    expect(result.reports.map((r) => r.atStep)).toEqual([2, 4, 6, 7]);
    expect(result.reports.at(-1)!.achievedSparsity).toBeCloseTo(0.9, 2);
    // after the last prune step early stopping works as configured: epoch 3 sets the best, epoch 4 is worse
    expect(result.finetuneEpochs).toBeGreaterThanOrEqual(3);
    disposeMasks(result.masks);
    result.model.dispose();
  });

  it('a run that cannot reach its target fails in words instead of ending short', async () => {
    const model = smallCnn();
    await expect(
      runPruneSession(
        sessionInput({
          model,
          prune: {
            ...basePrune,
            scope: 'global',
            minKeptFraction: 0.5,
            target: { kind: 'sparsity', value: 0.9 },
          },
        }),
      ),
    ).rejects.toThrow(/reached 50\.00% of the target 90\.00%.*minimum kept fraction/);
    model.dispose();
  });

  it('gradual with scores accumulated while training prunes on them, reaches the target, revives nothing', async () => {
    const schedule = { kind: 'gradual' as const, startStep: 1, endStep: 7, frequency: 2 };
    const run = async (scoring: 'accumulated' | 'calibration') => {
      const result = await runPruneSession(
        sessionInput({
          prune: {
            ...basePrune,
            criterion: 'fisher',
            scoring,
            schedule,
            target: { kind: 'sparsity', value: 0.8 },
            finetuneEpochs: 3,
          },
        }),
      );
      const masks = [...result.masks.values()].map((m) => [...m.dataSync()]);
      expect(result.reports.map((r) => r.atStep)).toEqual([3, 5, 7]);
      expect(result.reports.at(-1)!.achievedSparsity).toBeCloseTo(0.8, 2);
      expect(result.revivedWeights).toBe(0);
      disposeMasks(result.masks);
      result.model.dispose();
      return masks;
    };
    const accumulated = await run('accumulated');
    const calibrated = await run('calibration');
    // the scores differ (training-step gradients vs calibration batches), and so does the choice
    expect(accumulated).not.toEqual(calibrated);
    for (const criterion of ['taylor', 'gradient', 'movement'] as const) {
      const result = await runPruneSession(
        sessionInput({
          prune: {
            ...basePrune,
            criterion,
            scoring: 'accumulated',
            schedule,
            target: { kind: 'sparsity', value: 0.8 },
            finetuneEpochs: 3,
          },
        }),
      );
      expect(result.reports.at(-1)!.achievedSparsity).toBeCloseTo(0.8, 2);
      disposeMasks(result.masks);
      result.model.dispose();
    }
  });

  it('refuses accumulated scoring outside the gradual schedule, and movement without it, in words', async () => {
    for (const prune of [
      { ...basePrune, criterion: 'fisher' as const, scoring: 'accumulated' as const },
      { ...basePrune, criterion: 'movement' as const },
      { ...basePrune, criterion: 'magnitude' as const, scoring: 'accumulated' as const },
    ]) {
      const model = smallCnn();
      await expect(runPruneSession(sessionInput({ model, prune }))).rejects.toThrow(
        /the gradual schedule|nothing to accumulate/,
      );
      model.dispose();
    }
  });

  it("a pruned parent's masks carry over: its pruned weights stay zero and sparsity only rises", async () => {
    const parent = await runPruneSession(
      sessionInput({ prune: { ...basePrune, target: { kind: 'sparsity', value: 0.5 } } }),
    );
    const parentPruned = new Map(
      [...parent.masks].map(([key, m]) => [key, [...m.dataSync()].map((v) => v === 0)]),
    );
    for (const schedule of [
      { kind: 'oneshot' as const },
      { kind: 'gradual' as const, startStep: 0, endStep: 5, frequency: 1 },
    ]) {
      const copy = smallCnn();
      copy.setWeights(parent.model.getWeights());
      const initialMasks = new Map([...parent.masks].map(([key, m]) => [key, m.clone()]));
      const child = await runPruneSession(
        sessionInput({
          model: copy,
          initialMasks,
          // magnitude and taylor score a zero weight 0 and would re-pick it anyway; |∂L/∂w| does not
          prune: {
            ...basePrune,
            criterion: 'gradient',
            schedule,
            target: { kind: 'sparsity', value: 0.8 },
            finetuneEpochs: 2,
          },
        }),
      );
      for (const [key, flags] of parentPruned) {
        const mask = child.masks.get(key)!.dataSync();
        const kernel = copy.weights
          .find((w) => w.originalName === key)!
          .read()
          .dataSync();
        expect(flags.every((pruned, i) => !pruned || (mask[i] === 0 && kernel[i] === 0))).toBe(true);
      }
      // every step's sparsity is at least the parent's 50%, and the last reaches 80%
      for (const r of child.reports) expect(r.achievedSparsity).toBeGreaterThanOrEqual(0.5 - 1e-3);
      expect(child.reports.at(-1)!.achievedSparsity).toBeCloseTo(0.8, 2);
      expect(child.revivedWeights).toBe(0);
      disposeMasks(child.masks);
      copy.dispose();
    }
    // a target below the parent's sparsity cannot be met without reviving weights
    const copy = smallCnn();
    await expect(
      runPruneSession(
        sessionInput({
          model: copy,
          initialMasks: new Map([...parent.masks].map(([key, m]) => [key, m.clone()])),
          prune: { ...basePrune, target: { kind: 'sparsity', value: 0.3 } },
        }),
      ),
    ).rejects.toThrow(/already 50\.\d% sparse, above the target 30\.0%/);
    copy.dispose();
    disposeMasks(parent.masks);
    parent.model.dispose();
  });

  it('refuses a gradual schedule that ends after fine-tuning does, in words', async () => {
    const model = smallCnn();
    await expect(
      runPruneSession(
        sessionInput({
          model,
          prune: { ...basePrune, schedule: { kind: 'gradual', startStep: 0, endStep: 100, frequency: 1 } },
        }),
      ),
    ).rejects.toThrow(/ends at step 100.*only 3 steps/);
    model.dispose();
  });

  it('checkpoints carry the masks, and a resumed session continues with them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prune-ckpt-'));
    try {
      const prune = { ...basePrune, finetuneEpochs: 2, target: { kind: 'sparsity' as const, value: 0.6 } };
      const controller = new AbortController();
      let epochs = 0;
      const first = smallCnn();
      // cancel after the first fine-tune epoch's checkpoint
      await expect(
        runPruneSession(
          sessionInput({
            model: first,
            prune,
            validation: validationSet,
            signal: controller.signal,
            checkpoint: { dir, meta },
            onEpoch: () => {
              epochs += 1;
              controller.abort();
            },
          }),
        ),
      ).rejects.toThrow(/Cancelled/);
      expect(epochs).toBe(1);
      first.dispose(); // on failure the caller still owns the model it passed in

      const saved = await loadLatestPruneCheckpoint(dir);
      expect(saved?.round).toBe(1);
      const masks = saved!.checkpoint.masks!;
      expect([...masks.keys()].sort()).toEqual(['c1/kernel', 'c2/kernel', 'd1/kernel', 'logits/kernel']);
      const maskZeros = masks
        .get('d1/kernel')!
        .dataSync()
        .filter((v) => v === 0).length;
      expect(maskZeros).toBe(Math.round(0.6 * masks.get('d1/kernel')!.size));
      const extra = saved!.checkpoint.meta.extra as { pruneRound: number; prunedEvaluation: unknown };
      expect(extra.pruneRound).toBe(1);
      expect(extra.prunedEvaluation).not.toBeNull();

      const resumed = await runPruneSession(
        sessionInput({
          model: saved!.checkpoint.model,
          prune,
          validation: validationSet,
          resume: saved!,
          checkpoint: { dir, meta },
        }),
      );
      expect(resumed.reports).toHaveLength(0); // no second prune: it picked up mid fine-tune
      expect(resumed.finetuneEpochs).toBe(2);
      expect(resumed.masks).toBe(masks);
      expect(resumed.revivedWeights).toBe(0);
      expect(resumed.prunedEvaluation).toEqual(extra.prunedEvaluation);
      saved!.checkpoint.optimizer.slots.flat().forEach((t) => t.dispose());
      disposeMasks(resumed.masks);
      resumed.model.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an automatic gradual schedule with a one-step fine-tune prunes once instead of failing; movement says why it cannot', async () => {
    const tiny = imageSubset(trainSet, 16, 1); // one batch of 16: a single fine-tune step
    const prune = { ...basePrune, scoring: 'accumulated' as const, schedule: { kind: 'gradual' as const } };
    const result = await runPruneSession(sessionInput({ train: tiny, prune }));
    expect(result.reports.map((r) => [r.atStep, r.targetSparsity])).toEqual([[0, 0.8]]);
    expect(result.finalReport!.achievedSparsity).toBeCloseTo(0.8, 2);
    disposeMasks(result.masks);
    result.model.dispose();
    const model = smallCnn();
    await expect(
      runPruneSession(sessionInput({ model, train: tiny, prune: { ...prune, criterion: 'movement' } })),
    ).rejects.toThrow(/movement scores accumulate over fine-tune steps, and this fine-tune has only 1/);
    model.dispose();
  });

  it('a gradual run with accumulated scores resumed mid-way ends exactly as the uninterrupted run', async () => {
    // 48 images in batches of 16: 3 steps an epoch; pruning at every step 1…5 of 2 epochs, so the
    // resumed epoch prunes three times on scores averaged since step 0 — they must come back from disk
    const prune = {
      ...basePrune,
      scoring: 'accumulated' as const,
      finetuneEpochs: 2,
      schedule: { kind: 'gradual' as const, startStep: 0, endStep: 5, frequency: 1 },
    };
    const maskValues = (masks: Map<string, tf.Tensor>) =>
      [...masks.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, m]) => [k, [...m.dataSync()]]);
    const whole = await runPruneSession(sessionInput({ model: smallCnn(), prune }));
    const dir = await mkdtemp(join(tmpdir(), 'prune-acc-ckpt-'));
    try {
      const controller = new AbortController();
      const first = smallCnn();
      await expect(
        runPruneSession(
          sessionInput({
            model: first,
            prune,
            signal: controller.signal,
            checkpoint: { dir, meta },
            onEpoch: () => controller.abort(),
          }),
        ),
      ).rejects.toThrow(/Cancelled/);
      first.dispose();
      const saved = (await loadLatestPruneCheckpoint(dir))!;
      expect((saved.checkpoint.meta.extra as { accumulatorSteps: number }).accumulatorSteps).toBe(3);
      expect([...saved.checkpoint.side.keys()].sort()).toEqual([
        'c1/kernel',
        'c2/kernel',
        'd1/kernel',
        'logits/kernel',
      ]);
      const resumed = await runPruneSession(
        sessionInput({ model: saved.checkpoint.model, prune, resume: saved, checkpoint: { dir, meta } }),
      );
      expect(resumed.reports.map((r) => r.atStep)).toEqual([3, 4, 5]);
      expect(maskValues(resumed.masks)).toEqual(maskValues(whole.masks));
      const a = kernelValues(whole.model, 'd1');
      const b = kernelValues(resumed.model, 'd1');
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThanOrEqual(1e-6);
      saved.checkpoint.optimizer.slots.flat().forEach((t) => t.dispose());
      saved.checkpoint.side.forEach((t) => t.dispose());
      disposeMasks(resumed.masks);
      resumed.model.dispose();
    } finally {
      disposeMasks(whole.masks);
      whole.model.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('global structured pruning ranks units on a comparable scale for every criterion: no layer collapses', async () => {
    // c1's filters sum 9 weights, c2's 54, d1's units 200: raw unit sums would empty c1 first
    for (const criterion of ['fisher', 'taylor', 'gradient', 'magnitude', 'lamp', 'random'] as const) {
      const dense = smallCnn({ batchNorm: true });
      const result = await runPruneSession(
        sessionInput({
          model: dense,
          prune: {
            ...basePrune,
            criterion,
            granularity: 'structured',
            scope: 'global',
            target: { kind: 'sparsity', value: 0.5 },
            finetuneEpochs: 0,
          },
        }),
      );
      const units = result.reports[0]!.units!;
      expect(units.sparsity, criterion).toBeCloseTo(12 / 24, 6); // c1 6 + c2 8 + d1 10 units
      for (const [layer, total] of [
        ['c1', 6],
        ['c2', 8],
        ['d1', 10],
      ] as const) {
        const kept = result.model.getLayer(layer).getWeights()[0]!.shape.at(-1)!;
        // more than the one unit the 1% floor guarantees: the ranking itself left the layer alive
        expect(kept, `${criterion} ${layer}`).toBeGreaterThan(1);
        expect(kept, `${criterion} ${layer}`).toBeLessThanOrEqual(total);
      }
      result.model.dispose();
      dense.dispose();
    }
  });

  it('structured oneshot hands back a smaller model and fine-tunes it', async () => {
    const dense = smallCnn({ batchNorm: true });
    const denseParams = dense.countParams();
    const result = await runPruneSession(
      sessionInput({
        model: dense,
        prune: { ...basePrune, granularity: 'structured', target: { kind: 'sparsity', value: 0.5 } },
      }),
    );
    expect(result.model).not.toBe(dense);
    expect(result.model.countParams()).toBeLessThan(denseParams);
    expect(result.masks.size).toBe(0);
    expect(result.reports[0]!.totals.parameters).toBe(result.model.countParams());
    result.model.dispose();
    dense.dispose();
  });
});
