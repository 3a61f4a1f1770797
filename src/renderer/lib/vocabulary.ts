// Words the UI uses for the pruning vocabulary of DESIGN.md: one line each, shown next to the choice.
// (The criteria's own words live in shared/criteria.ts, shown by components/runs/CriterionPicker.vue.)
import type { LrSchedule, Scope, Scoring } from '../../shared/dto';
import { CUT_RATE_SCALE, GRADUAL_RATE_SCALE } from '../../shared/scheduleRule';

export const scopeExplanations: Record<Scope, string> = {
  layer: 'Every layer pruned to the same sparsity.',
  global: 'One ranking across all layers; each layer keeps at least the minimum fraction.',
};

export const scheduleExplanations = {
  oneshot: 'Prune once, then fine-tune.',
  iterative: 'k rounds of prune → fine-tune, reaching the target gradually.',
  gradual: 'Raise sparsity on a cubic schedule while training.',
} as const;

export const scheduleNames = { oneshot: 'one-shot', iterative: 'iterative', gradual: 'gradual' } as const;

/** What the gradual schedule does with step fields left empty (engine/prune/schedules.ts GRADUAL_DEFAULTS). */
export const gradualStepsHint =
  'Empty = automatic: the engine prunes over the first half of the fine-tune budget in 20 steps.';

export const scoringNames: Record<Scoring, string> = {
  accumulated: 'accumulated while training',
  calibration: 'calibration batches',
};

export const lrScheduleNames: Record<LrSchedule, string> = {
  constant: 'constant',
  cosine: 'cosine decay',
  step: 'step (÷10 at ½, ÷100 at ¾)',
};

/** When a decaying rate starts to decay (engine/prune/pruneSession.ts lrDecayStartStep). */
export const lrScheduleHint =
  'A decaying rate starts to decay once the model has its final sparsity: after the last prune step of a gradual schedule. Automatic: cosine for a gradual run, else constant.';

/** What the fine-tune rate scale means (shared/scheduleRule.ts defaultLrScale). */
export const lrScaleHint = `The fine-tune starts at this multiple of the training learning rate. Pruning moves the model far from where training left it, and a fine-tune that starts above the training rate recovers more in the same epochs. Automatic: ${GRADUAL_RATE_SCALE}× for a gradual run (its rate decays after the last prune step), ${CUT_RATE_SCALE}× after a one-shot or iterative cut.`;

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
