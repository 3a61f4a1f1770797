import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../../src/shared/dto';
import { pruneTask, type PruneTaskInput } from '../../../src/main/engine/tasks/pruneTask';
import { sensitivityTask } from '../../../src/main/engine/tasks/sensitivityTask';
import { pruneConfig, sensitivityConfig } from '../../../src/shared/schemas';
import { readDatasetCache } from '../../../src/main/engine/data/cache';
import {
  CALIBRATION_BATCH_SIZE,
  disposeCalibration,
  makeCalibrationBatches,
} from '../../../src/main/engine/prune/calibration';
import { disposeMasks, type WeightMasks } from '../../../src/main/engine/prune/masks';
import { findPrunableKernels } from '../../../src/main/engine/prune/prunableKernels';
import { pruneUnstructuredStep } from '../../../src/main/engine/prune/pruneStep';
import { measureOn } from '../../../src/main/engine/prune/sensitivity';
import { imageSubset } from '../../../src/main/engine/prune/subset';
import { loadModelState, saveModelState } from '../../../src/main/engine/train/modelState';
import { basePrune, smallCnn, trainConfig } from '../prune/fixtures';
import { expectNoTensorLeaks, importSource, taskContext, writeSyntheticSource } from './fixtures';

// The prune and sensitivity tasks end to end on real files: a dataset imported by the import task, a
// dense parent saved by the model-state code, results written under the run folder.

let dataDir: string;
let parentModelDir: string;
const classNames = ['a', 'b', 'c'];

const context = (signal?: AbortSignal) => taskContext(dataDir, signal);

function input(over: Partial<RunConfig['prune']> = {}, runId = 'prune-1'): PruneTaskInput {
  return {
    runId,
    datasetId: 'ds-1',
    parentModelDir,
    config: { datasetId: 'ds-1', train: trainConfig, prune: { ...basePrune, ...over } },
    resume: false,
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'prunelab-prune-task-'));
  const source = join(dataDir, 'source');
  await writeSyntheticSource(source, { classNames, count: 60, seed: 3 });
  await importSource(dataDir, source, { channels: 1, split: { train: 0.6, validation: 0.2, test: 0.2 } });
  const model = smallCnn({ batchNorm: true });
  parentModelDir = join(dataDir, 'runs', 'train-1', 'model');
  await saveModelState(parentModelDir, {
    model,
    masks: null,
    meta: {
      preset: 'lenet5',
      inputShape: [12, 12, 1],
      classes: classNames,
      runId: 'train-1',
      output: 'logits',
      trainConfig,
    },
  });
  model.dispose();
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});
expectNoTensorLeaks();

describe('pruneTask', () => {
  it('prunes, fine-tunes, evaluates and saves the model with its masks; reports every figure the CLI prints', async () => {
    const ctx = context();
    const result = await pruneTask(
      input({ target: { kind: 'sparsity', value: 0.75 }, finetuneEpochs: 1 }),
      ctx,
    );
    expect(result.sparsity).toBeCloseTo(0.75, 2);
    expect(result.revivedWeights).toBe(0);
    expect(result.steps).toBe(1);
    expect(result.layers.map((l) => l.name)).toEqual(['c1', 'c2', 'd1', 'logits']);
    for (const l of result.layers)
      expect(Math.abs(l.weights - l.kept - 0.75 * l.weights)).toBeLessThanOrEqual(1);
    expect(result.denseAccuracy).toBe(result.denseEvaluation.accuracy);
    expect(result.prunedAccuracy).toBe(result.prunedEvaluation!.accuracy);
    expect(result.accuracy).toBe(result.evaluation.accuracy);
    expect(result.backend.name).toMatch(/wasm|cpu|tensorflow/);

    const kinds = ctx.events.map((e) => e.type);
    expect(kinds[0]).toBe('backend');
    expect(kinds).toEqual(
      expect.arrayContaining(['evaluation', 'pruneStep', 'epoch', 'checkpoint', 'progress']),
    );
    const epoch0 = ctx.events.find((e) => e.type === 'epoch' && e.epoch === 0);
    expect(epoch0).toMatchObject({
      phase: 'finetune',
      values: [
        { split: 'test', name: 'accuracy', value: result.prunedAccuracy },
        { split: 'test', name: 'loss' },
      ],
    });

    const saved = await loadModelState(result.modelDir);
    expect(saved.meta.runId).toBe('prune-1');
    expect([...saved.masks!.keys()].sort()).toEqual(['c1/kernel', 'c2/kernel', 'd1/kernel', 'logits/kernel']);
    const kernel = saved.model.getLayer('d1').getWeights()[0]!.dataSync();
    const mask = saved.masks!.get('d1/kernel')!.dataSync();
    expect(mask.some((m, i) => m === 0 && kernel[i] !== 0)).toBe(false);
    saved.model.dispose();
    tf.dispose([...saved.masks!.values()]);
  });

  it('resumes a cancelled run from its checkpoint, masks included', async () => {
    const controller = new AbortController();
    const ctx = context(controller.signal);
    ctx.emit = (e) => {
      ctx.events.push(e);
      if (e.type === 'checkpoint') controller.abort();
    };
    const config = { target: { kind: 'sparsity' as const, value: 0.6 }, finetuneEpochs: 2 };
    await expect(pruneTask(input(config, 'prune-2'), ctx)).rejects.toMatchObject({ name: 'AbortError' });
    expect(ctx.events.filter((e) => e.type === 'pruneStep')).toHaveLength(1);

    const again = context();
    const result = await pruneTask({ ...input(config, 'prune-2'), resume: true }, again);
    expect(again.events.filter((e) => e.type === 'pruneStep')).toHaveLength(0); // no re-prune
    expect(again.events.filter((e) => e.type === 'epoch').map((e) => (e as { epoch: number }).epoch)).toEqual(
      [2],
    );
    expect(result.sparsity).toBeCloseTo(0.6, 2);
    expect(result.revivedWeights).toBe(0);
    expect(result.prunedAccuracy).not.toBeNull();
  });

  it("pruning an already-pruned run keeps the parent's masks: what it removed stays removed", async () => {
    const first = await pruneTask(
      input(
        { criterion: 'magnitude', target: { kind: 'sparsity', value: 0.5 }, finetuneEpochs: 1 },
        'prune-chain-1',
      ),
      context(),
    );
    const parent = await loadModelState(first.modelDir);
    const parentPruned = new Map(
      [...parent.masks!].map(([key, m]) => [key, [...m.dataSync()].map((v) => v === 0)]),
    );
    parent.model.dispose();
    tf.dispose([...parent.masks!.values()]);
    // gradient (|∂L/∂w|) scores a zeroed weight like any other: without the parent's masks it keeps,
    // and fine-tuning revives, some of the weights the parent removed
    const second = await pruneTask(
      {
        ...input(
          { criterion: 'taylor', target: { kind: 'sparsity', value: 0.7 }, finetuneEpochs: 1 },
          'prune-chain-2',
        ),
        parentModelDir: first.modelDir,
      },
      context(),
    );
    expect(second.sparsity).toBeCloseTo(0.7, 2);
    expect(second.revivedWeights).toBe(0);
    const child = await loadModelState(second.modelDir);
    for (const [key, pruned] of parentPruned) {
      const kernel = child.model.weights
        .find((w) => w.originalName === key)!
        .read()
        .dataSync();
      const mask = child.masks!.get(key)!.dataSync();
      expect(pruned.every((p, i) => !p || (mask[i] === 0 && kernel[i] === 0))).toBe(true);
    }
    child.model.dispose();
    tf.dispose([...child.masks!.values()]);

    await expect(
      pruneTask(
        {
          ...input({ target: { kind: 'sparsity', value: 0.3 } }, 'prune-chain-3'),
          parentModelDir: first.modelDir,
        },
        context(),
      ),
    ).rejects.toThrow(/already 50\.0% sparse, above the target 30\.0%/);
  });

  it('structured: saves a smaller model that loads back from its own topology', async () => {
    const result = await pruneTask(
      input(
        { granularity: 'structured', target: { kind: 'sparsity', value: 0.5 }, finetuneEpochs: 1 },
        'prune-3',
      ),
      context(),
    );
    const saved = await loadModelState(result.modelDir);
    const parent = await loadModelState(parentModelDir);
    expect(saved.masks).toBeNull();
    expect(saved.model.countParams()).toBeLessThan(parent.model.countParams());
    expect(saved.model.getLayer('c2').getWeights()[0]!.shape).toEqual([3, 3, 3, 4]);
    saved.model.dispose();
    parent.model.dispose();
  });

  it('refuses a run without prune settings, and a model that does not fit the data, in words', async () => {
    const bad = input();
    delete bad.config.prune;
    await expect(pruneTask(bad, context())).rejects.toThrow(/no prune settings/);
    const other = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 3 })],
    });
    const dir = join(dataDir, 'runs', 'odd', 'model');
    await saveModelState(dir, {
      model: other,
      masks: null,
      meta: { preset: 'lenet5', inputShape: [8, 8, 1], classes: classNames, runId: 'odd', output: 'logits' },
    });
    other.dispose();
    await expect(pruneTask({ ...input(), parentModelDir: dir }, context())).rejects.toThrow(
      /takes 8×8×1 images but the dataset has 12×12×1/,
    );
  });
});

describe('sensitivityTask', () => {
  it('streams one curve per prunable layer over the requested sparsities', async () => {
    const ctx = context();
    const sparsities = [0, 0.5, 0.9];
    const { curves } = await sensitivityTask(
      {
        runId: 's-1',
        datasetId: 'ds-1',
        parentModelDir,
        config: { criterion: 'magnitude', sparsities, validationSamples: 8, calibrationBatches: 8 },
      },
      ctx,
    );
    expect(curves.map((c) => c.layer)).toEqual(['c1', 'c2', 'd1', 'logits']);
    for (const c of curves) {
      expect(c.sparsities).toEqual(sparsities);
      expect(c.accuracies.every((a) => a >= 0 && a <= 1)).toBe(true);
      expect(c.losses.every((l) => Number.isFinite(l))).toBe(true);
    }
    expect(ctx.events.filter((e) => e.type === 'sensitivity')).toHaveLength(4);
  });
  it('scores exactly as a prune run with the same settings: a point equals a real prune of that layer', async () => {
    // issue 11, bug 3: curves were scored on 8 calibration batches while prune runs use 64
    expect(sensitivityConfig.parse({}).calibrationBatches).toBe(pruneConfig.parse({}).calibrationBatches);
    // one batch of 16 of the 36 training images: any other count the task might use scores differently
    const config = sensitivityConfig.parse({ criterion: 'taylor', sparsities: [0.9], calibrationBatches: 1 });
    const prune = pruneConfig.parse({
      criterion: 'taylor',
      schedule: { kind: 'oneshot' },
      calibrationBatches: 1,
    });
    const { curves } = await sensitivityTask(
      { runId: 's-2', datasetId: 'ds-1', parentModelDir, config },
      context(),
    );
    // what a prune run with these settings does (pruneSession): the prune's calibration batches, seeded
    // with the fine-tune seed at step 0, and the ordinary prune step on the layer alone
    const { splits } = await readDatasetCache(join(dataDir, 'datasets', 'ds-1'));
    const parent = await loadModelState(parentModelDir);
    const batches = makeCalibrationBatches(splits.train, classNames.length, {
      batches: prune.calibrationBatches,
      batchSize: CALIBRATION_BATCH_SIZE,
      seed: trainConfig.seed,
    });
    const masks: WeightMasks = new Map();
    pruneUnstructuredStep({
      model: parent.model,
      kernels: findPrunableKernels(parent.model, {
        pruneFirstLayer: true,
        pruneLastLayer: true,
        onlyLayers: ['c2'],
      }),
      masks,
      criterion: 'taylor',
      rules: {
        target: { kind: 'sparsity', value: 0.9 },
        scope: 'layer',
        minKeptFraction: prune.minKeptFraction,
      },
      batches,
      seed: trainConfig.seed,
      step: 1,
      atStep: 0,
      dense: { parameters: 0, flops: 0 },
    });
    const source = splits.validation.count > 0 ? splits.validation : splits.test;
    const real = await measureOn(
      parent.model,
      imageSubset(source, config.validationSamples, trainConfig.seed),
      classNames.length,
    );
    const point = curves.find((c) => c.layer === 'c2')!;
    expect(Math.abs(point.losses[0]! - real.loss)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(point.accuracies[0]! - real.accuracy)).toBeLessThanOrEqual(1e-6);
    disposeMasks(masks);
    disposeCalibration(batches);
    parent.model.dispose();
  });
});
