import { criteria } from '../../../shared/criteria';
import type { PruneConfig, PruneSchedule } from '../../../shared/dto';

/**
 * Sparsity after round r (1-based) of k iterative rounds: the kept fraction shrinks by the same factor
 * every round, so (1 − s_r) = (1 − s)^(r/k) and the last round lands on the target. `initial` is the
 * sparsity the model starts with (a pruned parent's): the rounds go from there.
 */
export function iterativeSparsity(target: number, round: number, rounds: number, initial = 0): number {
  if (round >= rounds) return target;
  const kept = (1 - initial) * Math.pow((1 - target) / (1 - initial), round / rounds);
  return 1 - kept;
}

export type GradualSchedule = Extract<PruneSchedule, { kind: 'gradual' }>;
/** A gradual schedule with every step fixed, for one fine-tune of a known length. */
export type ResolvedGradualSchedule = Required<GradualSchedule>;

/**
 * Where a gradual schedule without explicit steps prunes: from the first step until this fraction of
 * the fine-tune steps, in this many prune steps; the rest of the budget fine-tunes at the final
 * sparsity. Chosen on a validation split by bench/pruneProbe.ts (see prune/README.md).
 */
export const GRADUAL_DEFAULTS = { endFraction: 0.5, pruneSteps: 20 } as const;

/** Fills the steps a gradual schedule leaves out from the fine-tune's length (`totalSteps` steps). */
export function resolveGradualSchedule(
  schedule: GradualSchedule,
  totalSteps: number,
): ResolvedGradualSchedule {
  const startStep = schedule.startStep ?? 0;
  const endStep =
    schedule.endStep ??
    Math.max(startStep + 1, Math.min(totalSteps - 1, Math.round(GRADUAL_DEFAULTS.endFraction * totalSteps)));
  const frequency =
    schedule.frequency ?? Math.max(1, Math.round((endStep - startStep) / GRADUAL_DEFAULTS.pruneSteps));
  return { kind: 'gradual', startStep, endStep, frequency };
}

/**
 * Zhu & Gupta (2017): s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(t_end − t0))³ for t0 ≤ t ≤ t_end, from the
 * initial sparsity s_i (0, or a pruned parent's) up to the final s_f; s_i before the start, s_f after.
 */
export function gradualSparsity(
  step: number,
  schedule: ResolvedGradualSchedule,
  target: number,
  initial = 0,
): number {
  const { startStep, endStep } = schedule;
  if (step <= startStep) return initial;
  if (step >= endStep) return target;
  const progress = (step - startStep) / (endStep - startStep);
  return target + (initial - target) * Math.pow(1 - progress, 3);
}

/** Pruning happens every `frequency` steps from the start, and always at the end step. */
export function isGradualPruneStep(step: number, schedule: ResolvedGradualSchedule): boolean {
  const { startStep, endStep, frequency } = schedule;
  if (step < startStep || step > endStep) return false;
  return (step - startStep) % frequency === 0 || step === endStep;
}

export function validateGradualSchedule(schedule: ResolvedGradualSchedule, totalSteps: number): void {
  const { startStep, endStep, frequency } = schedule;
  if (!(endStep > startStep)) {
    throw new Error(`Gradual schedule: end step ${endStep} must come after start step ${startStep}.`);
  }
  if (!(frequency >= 1)) throw new Error(`Gradual schedule: frequency must be ≥ 1 (got ${frequency}).`);
  if (endStep >= totalSteps) {
    throw new Error(
      `Gradual schedule ends at step ${endStep}, but fine-tuning has only ${totalSteps} steps (0…${totalSteps - 1}); lower the end step or raise the fine-tune epochs.`,
    );
  }
}

/**
 * A gradual schedule left to choose its own steps needs two fine-tune steps at least (one whose gradients
 * are scored, one to prune at). A budget shorter than that — a handful of training images — prunes once
 * instead, on calibration batches, rather than failing; a criterion that exists only accumulated
 * (movement) cannot, and says so. Explicit steps are never changed: they fail validation with their numbers.
 */
export function fitScheduleToBudget(prune: PruneConfig, totalSteps: number): PruneConfig {
  const s = prune.schedule;
  if (s.kind !== 'gradual' || s.endStep !== undefined || totalSteps >= 2) return prune;
  if (!criteria[prune.criterion].scorings.includes('calibration')) {
    throw new Error(
      `${prune.criterion} scores accumulate over fine-tune steps, and this fine-tune has only ${totalSteps}: add training images or fine-tune epochs, or choose another criterion.`,
    );
  }
  return { ...prune, schedule: { kind: 'oneshot' }, scoring: 'calibration' };
}
