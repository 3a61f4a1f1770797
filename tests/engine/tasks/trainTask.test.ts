import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfig } from '../../../src/shared/dto';
import { trainTask, type TrainTaskInput } from '../../../src/main/engine/tasks/trainTask';
import { loadModelState } from '../../../src/main/engine/train/modelState';
import type { TaskEvent } from '../../../src/main/engine/types';
import { importSource, taskContext, writeSyntheticSource } from './fixtures';

// The train task end to end on real files: a PNG folder imported by the import task, the run's
// checkpoints and final model written under the data directory.

let dataDir: string;
const classNames = ['a', 'b', 'c'];
const config: TrainConfig = {
  preset: 'lenet5',
  epochs: 2,
  batchSize: 8,
  learningRate: 0.003,
  optimizer: 'adam',
  momentum: 0.9,
  augment: { flip: true, shiftPixels: 1 },
  earlyStoppingPatience: 0,
  seed: 9,
};

const context = (signal?: AbortSignal) => taskContext(dataDir, signal);
const input = (runId: string, over: Partial<TrainTaskInput> = {}): TrainTaskInput => ({
  runId,
  datasetId: 'ds-1',
  config,
  resume: false,
  ...over,
});

async function savedWeights(runId: string): Promise<Float32Array[]> {
  const { model } = await loadModelState(join(dataDir, 'runs', runId, 'model'));
  const values = model.weights.map((w) => w.read().dataSync() as Float32Array);
  model.dispose();
  return values;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'prunelab-train-task-'));
  const source = join(dataDir, 'source');
  await writeSyntheticSource(source, { classNames, count: 45, seed: 4 });
  await importSource(dataDir, source, { channels: 1, split: { train: 0.6, validation: 0.2, test: 0.2 } });
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('trainTask', () => {
  it('trains, reports, checkpoints, evaluates and saves the model', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const ctx = context();
    const result = await trainTask(input('run-a'), ctx);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    expect(result.epochsCompleted).toBe(2);
    expect(result.modelDir).toBe(join(dataDir, 'runs', 'run-a', 'model'));
    expect(result.backend.reason.length).toBeGreaterThan(5);
    expect(result.evaluation.confusion).toHaveLength(3);
    // 9 test images (20% of 45)
    expect(result.evaluation.perClass.reduce((a, c) => a + c.support, 0)).toBe(9);

    const kinds = ctx.events.map((e) => e.type);
    expect(kinds[0]).toBe('backend');
    expect(ctx.events.filter((e) => e.type === 'epoch').map((e) => (e as { epoch: number }).epoch)).toEqual([
      1, 2,
    ]);
    const epoch = ctx.events.find((e) => e.type === 'epoch') as Extract<TaskEvent, { type: 'epoch' }>;
    expect(epoch.values.map((v) => `${v.split}.${v.name}`)).toEqual([
      'train.loss',
      'train.accuracy',
      'validation.loss',
      'validation.accuracy',
    ]);
    expect(ctx.events.filter((e) => e.type === 'checkpoint')).toHaveLength(2);
    const progress = ctx.events.filter((e) => e.type === 'progress' && e.phase === 'train') as Extract<
      TaskEvent,
      { type: 'progress' }
    >[];
    // 27 training images in batches of 8 → 4 batches an epoch; the last batch of each epoch always reports
    expect(progress.at(-1)).toMatchObject({ done: 8, total: 8 });
    expect(ctx.events.at(-1)).toMatchObject({ type: 'evaluation', which: 'final' });
    expect(JSON.parse(JSON.stringify(ctx.events))).toEqual(ctx.events); // plain data only

    const saved = await loadModelState(result.modelDir);
    expect(saved.meta).toMatchObject({
      preset: 'lenet5',
      inputShape: [12, 12, 1],
      classes: classNames,
      runId: 'run-a',
      output: 'logits',
      epochsCompleted: 2,
      trainConfig: config,
    });
    saved.model.dispose();
    expect(await readdir(join(dataDir, 'runs', 'run-a', 'checkpoints'))).toEqual(['epoch-0002']);
  });

  it('cancelled after its first epoch and resumed, it ends with the weights of an uninterrupted run', async () => {
    await trainTask(input('run-straight'), context());
    const controller = new AbortController();
    const ctx = context(controller.signal);
    const emit = ctx.emit;
    ctx.emit = (e) => {
      emit(e);
      if (e.type === 'checkpoint') controller.abort();
    };
    await expect(trainTask(input('run-resumed'), ctx)).rejects.toMatchObject({ name: 'AbortError' });
    const resumed = await trainTask(input('run-resumed', { resume: true }), context());
    expect(resumed.epochsCompleted).toBe(2);
    expect(await savedWeights('run-resumed')).toEqual(await savedWeights('run-straight'));
  });

  it('refuses bad settings with a clear message', async () => {
    await expect(
      trainTask(input('run-bad', { config: { ...config, epochs: 0, preset: 'nope' as never } }), context()),
    ).rejects.toThrow(
      /invalid training settings: .*preset.*epochs|invalid training settings: .*epochs.*preset/,
    );
  });
});
