import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { PruneStepReport } from '../../../src/shared/dto';
import { countRevivedWeights, disposeMasks } from '../../../src/main/engine/prune/masks';
import { gradualSparsity } from '../../../src/main/engine/prune/schedules';
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
      expect(result.prunedEvaluation?.accuracy).toBeGreaterThanOrEqual(0);
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
      const meta = {
        preset: 'lenet5' as const,
        inputShape: [12, 12, 1] as [number, number, number],
        classes: classNames,
        runId: 'r',
        output: 'logits' as const,
      };
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
