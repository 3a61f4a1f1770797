// Words the UI uses for the pruning vocabulary of DESIGN.md: one line each, shown next to the choice.
import { criteria } from '../../shared/criteria';
import type { Criterion, Scope } from '../../shared/dto';

export const criterionExplanations = Object.fromEntries(
  Object.entries(criteria).map(([name, info]) => [name, `${info.formula} — ${info.summary}.`]),
) as Record<Criterion, string>;

export const scopeExplanations: Record<Scope, string> = {
  layer: 'Every layer pruned to the same sparsity.',
  global: 'One ranking across all layers; each layer keeps at least the minimum fraction.',
};

export const scheduleExplanations = {
  oneshot: 'Prune once, then fine-tune.',
  iterative: 'k rounds of prune → fine-tune, reaching the target gradually.',
  gradual: 'Raise sparsity on a cubic schedule while training.',
} as const;

export const trainingLevels = {
  quick: {
    label: 'Quick',
    epochs: 2,
    batchSize: 64,
    learningRate: 0.002,
    hint: 'a first look in a minute or two',
  },
  balanced: {
    label: 'Balanced',
    epochs: 8,
    batchSize: 64,
    learningRate: 0.001,
    hint: 'good accuracy for most datasets',
  },
  thorough: {
    label: 'Thorough',
    epochs: 25,
    batchSize: 32,
    learningRate: 0.0005,
    hint: 'slow; squeezes out the last points',
  },
} as const;

export type TrainingLevel = keyof typeof trainingLevels;
