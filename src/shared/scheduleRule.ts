// When a gradual schedule can run, and the schedule and criterion a prune run gets when it names none — as
// plain functions, without zod, so a form can show what the API schema (schemas.ts `pruneConfig`) will do
// before it sends anything: the renderer's CSP forbids eval, which zod's fast path probes for.
// tests/shared/scheduleRule.test.ts holds these to the schema's own answers, word for word.
import type { Criterion, Granularity, LrSchedule, PruneSchedule, PruneTarget } from './dto';

/** The criterion a prune run gets when it names none: the validation winner (criteria.ts evidence). */
export const DEFAULT_CRITERION: Criterion = 'taylor';

/** The settings that decide whether a gradual schedule can run. */
export interface GradualSettings {
  granularity: Granularity;
  target: { kind: PruneTarget['kind'] };
  finetuneEpochs: number;
}

/** Why a gradual schedule cannot run with these settings, or null when it can. */
export function gradualProblem(c: GradualSettings): string | null {
  if (c.granularity === 'structured') return 'structured pruning runs oneshot or iterative, not gradual';
  if (c.target.kind !== 'sparsity') return 'the gradual schedule needs a target sparsity, not a threshold';
  if (!(c.finetuneEpochs >= 1))
    return 'the gradual schedule prunes while fine-tuning: set at least 1 fine-tune epoch';
  return null;
}

/** The schedule a run that names none gets: gradual (steps from the fine-tune budget) where it can run. */
export function defaultScheduleKind(c: GradualSettings): 'gradual' | 'oneshot' {
  return gradualProblem(c) ? 'oneshot' : 'gradual';
}

/**
 * The fine-tune learning-rate schedule a run that names none gets. A gradual run decays its rate (cosine)
 * once the last prune step is behind it: the model has its final sparsity by then, and settling it beat
 * holding the rate at every level from 90% to 98% once the fine-tune starts from a higher rate
 * (defaultLrScale). After a one-shot or iterative cut the rate holds for the whole budget.
 */
export function defaultLrSchedule(c: { schedule: { kind: PruneSchedule['kind'] } }): LrSchedule {
  return c.schedule.kind === 'gradual' ? 'cosine' : 'constant';
}

/** A gradual run's fine-tune starts at this multiple of the training rate when the run names none. */
export const GRADUAL_RATE_SCALE = 5;
/** A one-shot or iterative run's fine-tune rate, as a multiple of the training rate, when it names none. */
export const CUT_RATE_SCALE = 2;

/**
 * The fine-tune's starting rate as a multiple of the training rate, for a run that names none. Pruning
 * moves the model far from where training left it, and a fine-tune that starts above the training rate
 * recovers more in the same epochs. A gradual run prunes while it trains and decays the rate afterwards,
 * so it takes a high start; after a one-shot cut the rate holds for the whole budget, and a high constant
 * rate undoes the recovery (validation, prune/README).
 */
export function defaultLrScale(c: { schedule: { kind: PruneSchedule['kind'] } }): number {
  return c.schedule.kind === 'gradual' ? GRADUAL_RATE_SCALE : CUT_RATE_SCALE;
}

/** A fine-tune rate as people read it: a product of rates without float noise (3 × 0.001 is 0.003). */
export function formatRate(rate: number): string {
  return String(Number(rate.toPrecision(3)));
}
