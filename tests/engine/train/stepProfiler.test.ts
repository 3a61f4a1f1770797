import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPreset } from '../../../src/main/engine/models';
import { trainingStepFlops, flopsByLayer } from '../../../src/main/engine/models/counts';
import { createStepProfiler } from '../../../src/main/engine/train/stepProfiler';
import { syntheticImageSet } from '../../../src/main/engine/train/syntheticImages';
import { trainModel } from '../../../src/main/engine/train/trainLoop';
import type { TrainLoopConfig } from '../../../src/main/engine/train/trainTypes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config: TrainLoopConfig = {
  epochs: 1,
  batchSize: 8,
  learningRate: 0.01,
  optimizer: 'adam',
  momentum: 0.9,
  augment: { flip: false, shiftPixels: 0 },
  earlyStoppingPatience: 0,
  seed: 1,
};

describe('step profiler', () => {
  it('charges every kernel to the phase it ran in, counts steps, and puts the kernels back', async () => {
    const model = createPreset('lenet5', { inputShape: [12, 12, 1], classes: 3, seed: 1 });
    const train = syntheticImageSet({ count: 24, height: 12, width: 12, channels: 1, classes: 3, seed: 1 });
    const conv2dBefore = tf.getKernel('Conv2D', 'cpu')!.kernelFunc;
    let clock = 0;
    const profiler = createStepProfiler({ backendName: 'cpu', now: () => (clock += 1) });
    let hookSteps = 0;
    let afterSteps = 0;
    try {
      await trainModel({
        model,
        train,
        classes: 3,
        config,
        profiler,
        hooks: {
          gradients: (grads) => {
            hookSteps += 1;
            expect(grads.length).toBe(model.trainableWeights.length);
          },
          afterOptimizerStep: () => {
            afterSteps += 1;
          },
        },
      });
      const report = profiler.report();
      expect(report.steps).toBe(3);
      expect(hookSteps).toBe(3);
      expect(afterSteps).toBe(3);
      const phases = report.phases.map((p) => p.phase);
      for (const phase of [
        'batch assembly',
        'forward',
        'backward',
        'gradients hook',
        'optimizer',
        'after-step hook (masks)',
        'loss read-back',
      ]) {
        expect(phases).toContain(phase);
      }
      // exclusive times add up to the whole
      expect(report.phases.reduce((s, p) => s + p.ms, 0)).toBeCloseTo(report.totalMs, 6);
      expect([...report.phases].sort((a, b) => b.ms - a.ms)).toEqual(report.phases);
      const rows = (name: string, phase: string) =>
        report.kernels.filter((k) => k.kernel === name && k.phase === phase);
      const calls = (name: string, phase: string) => rows(name, phase).reduce((s, k) => s + k.calls, 0);
      expect(calls('Conv2D', 'forward')).toBe(6); // two conv layers × three steps
      expect(calls('Conv2DBackpropFilter', 'backward')).toBe(6);
      // one row per layer: the input shapes tell them apart
      expect(
        rows('Conv2DBackpropFilter', 'backward')
          .map((k) => k.shapes)
          .sort(),
      ).toEqual(['8×12×12×1, 8×12×12×6', '8×6×6×6, 8×2×2×16']);
      expect(report.kernels.some((k) => k.phase === 'optimizer')).toBe(true);
      expect(report.kernels.every((k) => k.kernel !== 'Conv2D' || k.phase === 'forward')).toBe(true);
      profiler.reset();
      expect(profiler.report().steps).toBe(0);
    } finally {
      profiler.dispose();
      model.dispose();
    }
    expect(tf.getKernel('Conv2D', 'cpu')!.kernelFunc).toBe(conv2dBefore);
  });
});

describe('training step FLOPs', () => {
  it('counts forward, input and weight gradients from the model, and the optimizer per parameter', () => {
    const model = createPreset('keras-cifar-cnn', { inputShape: [28, 28, 1], classes: 10, seed: 1 });
    try {
      const conv1 = 2 * 26 * 26 * 9 * 1 * 32;
      const conv2 = 2 * 11 * 11 * 9 * 32 * 64;
      const conv3 = 2 * 3 * 3 * 9 * 64 * 64;
      const dense = 2 * 576 * 64 + 2 * 64 * 10;
      const perImage = conv1 + conv2 + conv3 + dense;
      expect([...flopsByLayer(model).values()].reduce((a, b) => a + b)).toBe(perImage);
      const flops = trainingStepFlops(model, 64, 'adam');
      expect(flops.forward).toBe(64 * perImage);
      expect(flops.weightGradients).toBe(64 * perImage);
      // the first convolution reads the images: no gradient flows to them
      expect(flops.inputGradients).toBe(64 * (perImage - conv1));
      expect(flops.optimizer).toBe(12 * model.countParams());
      expect(flops.total).toBe(
        flops.forward + flops.inputGradients + flops.weightGradients + flops.optimizer,
      );
      expect(trainingStepFlops(model, 64, 'sgd').optimizer).toBe(4 * model.countParams());
    } finally {
      model.dispose();
    }
  });
});
