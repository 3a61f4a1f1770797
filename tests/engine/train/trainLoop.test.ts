import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { createPreset, presetNames } from '../../../src/main/engine/models';
import { evaluateModel, trainModel, type StepInfo } from '../../../src/main/engine/train';
import { baseConfig, classes, classNames, presetData, weightValues } from './fixtures';

// lenet5 on 12×12 and vgg-bn (with batch norm) on 8×8 are the cheapest models to train here
const lenet = presetData('lenet5');
const vgg = presetData('vgg-bn');

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`training on ${backend}`, () => {
    for (const preset of presetNames) {
      it(`${preset}: loss falls on a small dataset`, async () => {
        await initBackend(backend);
        expect(tf.getBackend()).toBe(backend);
        const { size, train } = presetData(preset);
        const model = createPreset(preset, { inputShape: [size, size, 1], classes, seed: 3 });
        const before = await evaluateModel(model, train, classNames);
        const result = await trainModel({
          model,
          train,
          classes,
          config: { ...baseConfig, augment: { flip: false, shiftPixels: 0 }, epochs: 4, learningRate: 0.003 },
        });
        const after = await evaluateModel(model, train, classNames);
        expect(result.epochsCompleted).toBe(4);
        expect(result.steps).toBe(4 * 3);
        expect(Number.isFinite(after.loss)).toBe(true);
        expect(after.loss).toBeLessThan(before.loss * 0.8);
        expect(result.history[3]!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
        model.dispose();
      });
    }

    it('the same seed and config give identical weights; another seed does not', async () => {
      await initBackend(backend);
      // vgg-bn (batch-norm statistics too) where training is quick; lenet5 on the slow cpu backend
      const [preset, data] = backend === 'wasm' ? (['vgg-bn', vgg] as const) : (['lenet5', lenet] as const);
      const run = async (seed: number, optimizer: 'adam' | 'sgd') => {
        const model = createPreset(preset, { inputShape: [data.size, data.size, 1], classes, seed: 11 });
        await trainModel({
          model,
          train: data.train,
          validation: data.validation,
          classes,
          config: { ...baseConfig, epochs: 2, seed, optimizer },
        });
        const values = weightValues(model);
        model.dispose();
        return values;
      };
      for (const optimizer of ['adam', 'sgd'] as const) {
        const a = await run(7, optimizer);
        const b = await run(7, optimizer);
        const c = await run(8, optimizer);
        expect(b).toEqual(a);
        // a different shuffle/augmentation seed (same initial weights) must lead elsewhere
        expect(c[0]).not.toEqual(a[0]);
      }
    });

    it('the epochs a run has in common with a longer run give identical weights and losses', async () => {
      await initBackend(backend);
      // shuffle and augmentation come from (seed, epoch) alone: the total epoch count must not leak in
      const [preset, data] = backend === 'wasm' ? (['vgg-bn', vgg] as const) : (['lenet5', lenet] as const);
      const run = async (epochs: number) => {
        const model = createPreset(preset, { inputShape: [data.size, data.size, 1], classes, seed: 11 });
        const perEpoch: Float32Array[][] = [];
        const result = await trainModel({
          model,
          train: data.train,
          validation: data.validation,
          classes,
          config: { ...baseConfig, epochs },
          onEpoch: () => {
            perEpoch.push(weightValues(model).map((values) => values.slice()));
          },
        });
        model.dispose();
        return { history: result.history.map(({ seconds: _, ...rest }) => rest), perEpoch };
      };
      const short = await run(2);
      const long = await run(4);
      expect(long.history).toHaveLength(4);
      expect(long.history.slice(0, 2)).toEqual(short.history);
      expect(long.perEpoch.slice(0, 2)).toEqual(short.perEpoch);
    });

    it('does not leak tensors across epochs, and calls the hooks once per step in order', async () => {
      await initBackend(backend);
      const model = createPreset('lenet5', { inputShape: [lenet.size, lenet.size, 1], classes, seed: 1 });
      const start = tf.memory().numTensors;
      const perEpoch: number[] = [];
      const calls: string[] = [];
      const infos: StepInfo[] = [];
      await trainModel({
        model,
        train: lenet.train,
        validation: lenet.validation,
        classes,
        config: baseConfig,
        hooks: {
          beforeBatch: (step, info) => {
            calls.push(`before ${step}`);
            infos.push(info);
          },
          afterOptimizerStep: (step) => {
            calls.push(`after ${step}`);
          },
        },
        onEpoch: () => {
          perEpoch.push(tf.memory().numTensors);
        },
      });
      expect(new Set(perEpoch).size).toBe(1);
      expect(tf.memory().numTensors).toBe(start);
      expect(calls.slice(0, 4)).toEqual(['before 0', 'after 0', 'before 1', 'after 1']);
      expect(calls).toHaveLength(2 * 9);
      expect(infos[4]).toMatchObject({ step: 4, epoch: 1, batch: 1, batchesPerEpoch: 3 });
      model.dispose();
    });
  });
}

describe('cancellation and checks', () => {
  it('stops within one batch of the abort', async () => {
    await initBackend('cpu');
    const model = createPreset('lenet5', { inputShape: [lenet.size, lenet.size, 1], classes, seed: 1 });
    const controller = new AbortController();
    const stepsRun: number[] = [];
    const start = tf.memory().numTensors;
    const training = trainModel({
      model,
      train: lenet.train,
      classes,
      config: baseConfig,
      signal: controller.signal,
      hooks: {
        beforeBatch: (step) => {
          stepsRun.push(step);
          // the cancel arrives while batch 4 (of 9) is running
          if (step === 4) setImmediate(() => controller.abort());
        },
      },
    });
    await expect(training).rejects.toMatchObject({ name: 'AbortError' });
    expect(stepsRun).toEqual([0, 1, 2, 3, 4]);
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it('refuses data that does not fit the model, with the reasons', async () => {
    await initBackend('cpu');
    const model = createPreset('lenet5', { inputShape: [lenet.size, lenet.size, 1], classes: 4, seed: 1 });
    await expect(
      trainModel({
        model,
        train: lenet.train,
        classes,
        config: { ...baseConfig, epochs: 0, learningRate: -1 },
      }),
    ).rejects.toThrow(
      /epochs must be ≥ 1.*learning rate must be > 0.*the model has 4 outputs but the data has 3 classes/,
    );
    model.dispose();
  });

  it('stops early when validation loss stops improving', async () => {
    await initBackend('cpu');
    const model = createPreset('lenet5', { inputShape: [lenet.size, lenet.size, 1], classes, seed: 1 });
    // a validation set whose labels contradict the training set: the better the fit, the worse its loss
    const contradicting = { ...lenet.train, labels: lenet.train.labels.map((l) => (l + 1) % classes) };
    const result = await trainModel({
      model,
      train: lenet.train,
      validation: contradicting,
      classes,
      config: {
        ...baseConfig,
        epochs: 8,
        earlyStoppingPatience: 2,
        augment: { flip: false, shiftPixels: 0 },
      },
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochsCompleted).toBeLessThan(8);
    const losses = result.history.map((h) => h.validationLoss!);
    const best = Math.min(...losses);
    // the last `patience` epochs were all no better than the best before them
    expect(losses.slice(-2).every((l) => l >= best)).toBe(true);
    model.dispose();
  });
});
