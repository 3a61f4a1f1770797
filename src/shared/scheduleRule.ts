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

/** Below this target a gradual run's default fine-tune rate decays after the last prune step. */
export const COSINE_BELOW_SPARSITY = 0.95;

/**
 * The fine-tune learning-rate schedule a run that names none gets. A gradual run towards a sparsity below
 * 95% decays its rate (cosine) once the last prune step is behind it: the model is close to recovered by
 * then, and settling it beat holding the full rate (+0.7 pp at 90%, 3 seeds). From 95%, and after a
 * one-shot or iterative cut, the full rate for the whole budget recovers more (prune/README).
 */
export function defaultLrSchedule(c: {
  schedule: { kind: PruneSchedule['kind'] };
  target: { kind: PruneTarget['kind']; value: number };
}): LrSchedule {
  const gentle = c.target.kind === 'sparsity' && c.target.value < COSINE_BELOW_SPARSITY;
  return c.schedule.kind === 'gradual' && gentle ? 'cosine' : 'constant';
}
