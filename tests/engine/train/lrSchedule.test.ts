import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { createPreset } from '../../../src/main/engine/models';
import { trainModel } from '../../../src/main/engine/train';
import { learningRateAt } from '../../../src/main/engine/train/lrSchedule';
import type { LrSchedule } from '../../../src/shared/dto';
import { baseConfig, classes, presetData } from './fixtures';

describe('learning-rate schedules', () => {
  it('constant, cosine and step give the documented rates', () => {
    expect(learningRateAt('constant', 0.01, 77, 100)).toBe(0.01);
    expect(learningRateAt('cosine', 0.01, 0, 100)).toBeCloseTo(0.01, 12);
    expect(learningRateAt('cosine', 0.01, 50, 100)).toBeCloseTo(0.005, 12);
    expect(learningRateAt('cosine', 0.01, 75, 100)).toBeCloseTo(0.01 * 0.5 * (1 - Math.SQRT1_2), 12);
    expect(learningRateAt('cosine', 0.01, 100, 100)).toBeCloseTo(0, 12);
    expect(learningRateAt('step', 0.01, 49, 100)).toBe(0.01);
    expect(learningRateAt('step', 0.01, 50, 100)).toBeCloseTo(0.001, 12);
    expect(learningRateAt('step', 0.01, 74, 100)).toBeCloseTo(0.001, 12);
    expect(learningRateAt('step', 0.01, 75, 100)).toBeCloseTo(0.0001, 12);
  });

  it('holds the base rate until the decay starts, then runs the schedule over the steps left', () => {
    // decay from step 40 of 100: the 60 steps after it are the schedule's whole span
    expect(learningRateAt('cosine', 0.01, 0, 100, 40)).toBe(0.01);
    expect(learningRateAt('cosine', 0.01, 39, 100, 40)).toBe(0.01);
    expect(learningRateAt('cosine', 0.01, 40, 100, 40)).toBeCloseTo(0.01, 12);
    expect(learningRateAt('cosine', 0.01, 70, 100, 40)).toBeCloseTo(0.005, 12);
    expect(learningRateAt('cosine', 0.01, 100, 100, 40)).toBeCloseTo(0, 12);
    expect(learningRateAt('step', 0.01, 69, 100, 40)).toBe(0.01);
    expect(learningRateAt('step', 0.01, 70, 100, 40)).toBeCloseTo(0.001, 12);
    // a decay that would start at or after the end leaves the base rate
    expect(learningRateAt('cosine', 0.01, 99, 100, 100)).toBe(0.01);
  });

  it('the loop applies the scheduled rate at every step', async () => {
    await initBackend('cpu');
    const data = presetData('lenet5');
    // plain SGD: a step moves every weight by exactly −rate·gradient, so rates compare as step sizes
    const config = {
      ...baseConfig,
      epochs: 1,
      batchSize: 9,
      learningRate: 0.05,
      optimizer: 'sgd' as const,
      momentum: 0,
    };
    const deltas = async (lrSchedule: LrSchedule, batchSize = 9, lrDecayStartStep?: number) => {
      const model = createPreset('lenet5', { inputShape: [data.size, data.size, 1], classes, seed: 3 });
      const kernel = () => Float32Array.from(model.getWeights()[0]!.dataSync());
      const seen: Float32Array[] = [kernel()];
      await trainModel({
        model,
        train: data.train,
        classes,
        config: { ...config, batchSize, lrSchedule, lrDecayStartStep },
        hooks: { afterOptimizerStep: () => void seen.push(kernel()) },
      });
      model.dispose();
      return seen.slice(1).map((w, i) => w.map((v, k) => v - seen[i]![k]!));
    };
    const constant = await deltas('constant');
    const cosine = await deltas('cosine');
    expect(constant).toHaveLength(2); // 18 images in batches of 9
    // step 0 of 2: the full rate; step 1 of 2: ½(1 + cos(π/2)) = ½ of it, from the same weights and batch
    expect(maxAbsDiff(cosine[0]!, constant[0]!)).toBe(0);
    const half = constant[1]!.map((v) => v / 2);
    expect(maxAbsDiff(cosine[1]!, half)).toBeLessThan(1e-6);
    expect(maxAbs(constant[1]!)).toBeGreaterThan(1e-4);

    // batches of 6: 3 steps. Decaying from step 1, steps 0 and 1 take the full rate and step 2, halfway
    // through the 2 steps left, ½(1 + cos(π/2)) = ½ of it
    const constant3 = await deltas('constant', 6);
    const held = await deltas('cosine', 6, 1);
    expect(held).toHaveLength(3);
    expect(maxAbsDiff(held[0]!, constant3[0]!)).toBe(0);
    expect(maxAbsDiff(held[1]!, constant3[1]!)).toBe(0);
    expect(
      maxAbsDiff(
        held[2]!,
        constant3[2]!.map((v) => v / 2),
      ),
    ).toBeLessThan(1e-6);
    expect(maxAbs(constant3[2]!)).toBeGreaterThan(1e-4);
  });
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}
