import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { allKernels } from '../../../src/main/engine/prune/prunableKernels';
import { createScoreAccumulator } from '../../../src/main/engine/prune/scoreAccumulator';
import { useCpuAndCheckLeaks } from './fixtures';

useCpuAndCheckLeaks();

/** A one-layer model whose kernel we set by hand before every "step". */
function tinyModel() {
  return tf.sequential({
    layers: [tf.layers.dense({ name: 'lin', inputShape: [2], units: 1, useBias: false })],
  });
}

// three training steps: the kernel's value and its gradient at each (two weights)
const steps = [
  { w: [0.5, -1.0], g: [0.2, 0.1] },
  { w: [0.4, -1.2], g: [-0.4, 0.3] },
  { w: [0.3, -1.1], g: [0.1, -0.2] },
];
const beta = 0.5;

/** Bias-corrected exponential average of per-step values x_t, by hand. */
function runningAverage(values: number[]): number {
  let s = 0;
  values.forEach((x) => (s = beta * s + (1 - beta) * x));
  return s / (1 - beta ** values.length);
}

function accumulate(criterion: 'taylor' | 'gradient' | 'fisher' | 'movement'): Float32Array {
  const model = tinyModel();
  const variable = model.trainableWeights[0]!.read() as tf.Variable;
  const accumulator = createScoreAccumulator(allKernels(model), criterion, beta);
  for (const { w, g } of steps) {
    tf.tidy(() => variable.assign(tf.tensor2d(w, [2, 1])));
    const grad = tf.tensor2d(g, [2, 1]);
    accumulator.observe([grad], [variable]);
    grad.dispose();
  }
  expect(accumulator.steps).toBe(3);
  const scores = accumulator.scores().get('lin/kernel')!;
  accumulator.dispose();
  model.dispose();
  return scores;
}

describe('scores accumulated over training steps', () => {
  it('taylor: running average of |w·g| over the steps', () => {
    const scores = accumulate('taylor');
    for (const i of [0, 1]) {
      expect(scores[i]).toBeCloseTo(runningAverage(steps.map((s) => Math.abs(s.w[i]! * s.g[i]!))), 6);
    }
  });

  it('gradient: running average of |g|', () => {
    const scores = accumulate('gradient');
    for (const i of [0, 1]) {
      expect(scores[i]).toBeCloseTo(runningAverage(steps.map((s) => Math.abs(s.g[i]!))), 6);
    }
  });

  it('fisher: ½·w²·(running average of g²), with the weight as it is now', () => {
    const scores = accumulate('fisher');
    const last = steps[steps.length - 1]!;
    for (const i of [0, 1]) {
      const fisher = runningAverage(steps.map((s) => s.g[i]! ** 2));
      expect(scores[i]).toBeCloseTo(0.5 * last.w[i]! ** 2 * fisher, 6);
    }
  });

  it('movement: −Σ w·g, positive for weights training moves away from zero', () => {
    const scores = accumulate('movement');
    for (const i of [0, 1]) {
      expect(scores[i]).toBeCloseTo(-steps.reduce((a, s) => a + s.w[i]! * s.g[i]!, 0), 6);
    }
  });

  it('refuses criteria that use no gradients, and scoring before any step', () => {
    const model = tinyModel();
    expect(() => createScoreAccumulator(allKernels(model), 'magnitude')).toThrow(/cannot be accumulated/);
    const accumulator = createScoreAccumulator(allKernels(model), 'taylor');
    expect(() => accumulator.scores()).toThrow(/No training step/);
    accumulator.dispose();
    model.dispose();
  });
});
