import { describe, expect, it } from 'vitest';
import { finetuneLoopConfig } from '../../../src/main/engine/prune/pruneSession';
import { basePrune, finetuneConfig } from './fixtures';

describe("a prune run's fine-tune settings", () => {
  it('decays the rate from the last prune step of a gradual schedule', () => {
    const gradual = { kind: 'gradual' as const, startStep: 0, endStep: 40, frequency: 4 };
    const config = finetuneLoopConfig(
      finetuneConfig,
      { ...basePrune, schedule: gradual, finetuneEpochs: 3, finetuneLrSchedule: 'cosine' },
      gradual,
    );
    expect([config.epochs, config.lrSchedule, config.lrDecayStartStep]).toEqual([3, 'cosine', 40]);
  });

  it('decays from the first step after a one-shot cut', () => {
    const config = finetuneLoopConfig(finetuneConfig, { ...basePrune, finetuneLrSchedule: 'step' }, null);
    expect([config.lrSchedule, config.lrDecayStartStep]).toEqual(['step', undefined]);
    expect(config.learningRate).toBe(finetuneConfig.learningRate);
  });

  it('starts at the scale × the training rate; a run stored without a scale at the training rate', () => {
    const scaled = finetuneLoopConfig(finetuneConfig, { ...basePrune, finetuneLrScale: 3 }, null);
    expect(scaled.learningRate).toBeCloseTo(finetuneConfig.learningRate * 3, 12);
    const half = finetuneLoopConfig(finetuneConfig, { ...basePrune, finetuneLrScale: 0.5 }, null);
    expect(half.learningRate).toBeCloseTo(finetuneConfig.learningRate / 2, 12);
    const { finetuneLrScale: _, ...stored } = { ...basePrune, finetuneLrScale: 3 };
    expect(finetuneLoopConfig(finetuneConfig, stored, null).learningRate).toBe(finetuneConfig.learningRate);
  });
});
