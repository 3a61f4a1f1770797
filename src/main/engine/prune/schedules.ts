import type { PruneSchedule } from '../../../shared/dto';

/**
 * Sparsity after round r (1-based) of k iterative rounds: the kept fraction shrinks by the same factor
 * every round, so (1 − s_r) = (1 − s)^(r/k) and the last round lands on the target.
 */
export function iterativeSparsity(target: number, round: number, rounds: number): number {
  if (round >= rounds) return target;
  return 1 - Math.pow(1 - target, round / rounds);
}

export type GradualSchedule = Extract<PruneSchedule, { kind: 'gradual' }>;

/**
 * Zhu & Gupta (2017): s_t = s_f · (1 − (1 − (t − t0)/(t_end − t0))³) for t0 ≤ t ≤ t_end, from 0 up to
 * the final sparsity s_f; 0 before the start, s_f after the end.
 */
export function gradualSparsity(step: number, schedule: GradualSchedule, target: number): number {
  const { startStep, endStep } = schedule;
  if (step <= startStep) return 0;
  if (step >= endStep) return target;
  const progress = (step - startStep) / (endStep - startStep);
  return target * (1 - Math.pow(1 - progress, 3));
}

/** Pruning happens every `frequency` steps from the start, and always at the end step. */
export function isGradualPruneStep(step: number, schedule: GradualSchedule): boolean {
  const { startStep, endStep, frequency } = schedule;
  if (step < startStep || step > endStep) return false;
  return (step - startStep) % frequency === 0 || step === endStep;
}

export function validateGradualSchedule(schedule: GradualSchedule, totalSteps: number): void {
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
