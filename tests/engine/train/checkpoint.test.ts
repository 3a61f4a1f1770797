import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { createPreset } from '../../../src/main/engine/models';
import { loadLatestCheckpoint, trainModel, type ModelMeta } from '../../../src/main/engine/train';
import { baseConfig, classes, classNames, presetData, weightValues } from './fixtures';

const data = presetData('vgg-bn');
const meta: ModelMeta = {
  preset: 'vgg-bn',
  inputShape: [data.size, data.size, 1],
  classes: classNames,
  runId: 'r1',
  output: 'logits',
};
let root: string;

beforeAll(async () => {
  await initBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'prunelab-ckpt-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('checkpoints and resume', () => {
  // cosine: the rate depends on the step, which the checkpoint must carry for the resumed run to match
  it.each(['constant', 'cosine'] as const)(
    'a run cancelled mid-epoch and resumed from its checkpoint ends with the same weights (%s rate)',
    async (lrSchedule) => {
      const config = { ...baseConfig, epochs: 3, lrSchedule };
      const fresh = () => createPreset('vgg-bn', { inputShape: [data.size, data.size, 1], classes, seed: 5 });
      const mask = tf.ones([3, 3, 1, 32]);
      const common = { train: data.train, validation: data.validation, classes, config };

      const straight = fresh();
      const saved: number[] = [];
      await trainModel({
        ...common,
        model: straight,
        checkpoint: { dir: join(root, lrSchedule, 'a'), meta, onSaved: (_path, epoch) => saved.push(epoch) },
      });
      expect(saved).toEqual([1, 2, 3]);
      // only the newest checkpoint is kept
      expect(await readdir(join(root, lrSchedule, 'a'))).toEqual(['epoch-0003']);
      const expected = weightValues(straight);
      straight.dispose();

      const interrupted = fresh();
      const controller = new AbortController();
      await expect(
        trainModel({
          ...common,
          model: interrupted,
          signal: controller.signal,
          checkpoint: {
            dir: join(root, lrSchedule, 'b'),
            meta,
            masks: () => new Map([['conv1/kernel', mask]]),
          },
          hooks: {
            // cancel during the second batch of the second epoch
            beforeBatch: (step) => {
              if (step === 4) controller.abort();
            },
          },
        }),
      ).rejects.toMatchObject({ name: 'AbortError' });
      interrupted.dispose();

      const tensorsBefore = tf.memory().numTensors;
      const checkpoint = await loadLatestCheckpoint(join(root, lrSchedule, 'b'));
      expect(checkpoint).not.toBeNull();
      const { model, optimizer, loop, masks } = checkpoint!;
      expect(loop.epochsCompleted).toBe(1);
      expect(loop.step).toBe(3);
      expect(checkpoint!.meta).toMatchObject({ ...meta, epochsCompleted: 1 });
      expect([...masks!.keys()]).toEqual(['conv1/kernel']);
      const result = await trainModel({ ...common, model, resume: { optimizer, loop } });
      tf.dispose(optimizer.slots);
      tf.dispose([...masks!.values()]);
      expect(result.epochsCompleted).toBe(3);
      expect(result.steps).toBe(9);
      expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
      expect(weightValues(model)).toEqual(expected);
      model.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      mask.dispose();
    },
  );

  it('has nothing to resume from in an empty or missing folder', async () => {
    expect(await loadLatestCheckpoint(join(root, 'none'))).toBeNull();
  });
});
