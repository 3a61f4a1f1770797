// The New Run form's schedule and scoring choices: which are possible, what "automatic" resolves to (what
// the API schema gives a config that leaves them out), and why a choice cannot run — in the schema's words.
import { criteria, defaultScoring, scoringProblem } from '../../shared/criteria';
import { defaultScheduleKind, gradualProblem } from '../../shared/scheduleRule';
import type { Criterion, Granularity, PruneSchedule, PruneTarget, Scoring } from '../../shared/dto';

export type ScheduleKind = PruneSchedule['kind'];
export const AUTOMATIC = 'automatic' as const;
export type ScheduleChoice = ScheduleKind | typeof AUTOMATIC;
export type ScoringChoice = Scoring | typeof AUTOMATIC;

export interface PruneChoices {
  criterion: Criterion;
  granularity: Granularity;
  targetKind: PruneTarget['kind'];
  /** as typed: a number input left empty or half-typed is not a number yet */
  finetuneEpochs: number | string;
  schedule: ScheduleChoice;
  scoring: ScoringChoice;
}

function gradualSettings(c: PruneChoices) {
  return {
    granularity: c.granularity,
    target: { kind: c.targetKind },
    finetuneEpochs: typeof c.finetuneEpochs === 'number' ? c.finetuneEpochs : Number.NaN,
  };
}

/** Why the gradual schedule cannot run with these settings, or null. */
export function gradualBlocker(c: PruneChoices): string | null {
  return gradualProblem(gradualSettings(c));
}

/** The schedule the run will get: the chosen one, or the schema's default for "automatic". */
export function resolvedSchedule(c: PruneChoices): ScheduleKind {
  return c.schedule === AUTOMATIC ? defaultScheduleKind(gradualSettings(c)) : c.schedule;
}

/** The scoring the run will get: the chosen one, or the schema's default for "automatic". */
export function resolvedScoring(c: PruneChoices): Scoring {
  return c.scoring === AUTOMATIC
    ? defaultScoring(c.criterion, resolvedSchedule(c), c.granularity)
    : c.scoring;
}

export interface ScoringOption {
  value: Scoring;
  /** why it cannot run with the other settings, or null */
  unavailable: string | null;
}

/** The scorings the criterion has (accumulated first), each with why it cannot run here, if it cannot. */
export function scoringOptions(c: PruneChoices): ScoringOption[] {
  const order: Scoring[] = ['accumulated', 'calibration'];
  return order
    .filter((s) => criteria[c.criterion].scorings.includes(s))
    .map((value) => ({
      value,
      unavailable: scoringProblem(c.criterion, value, resolvedSchedule(c), c.granularity),
    }));
}

/**
 * Explicit choices another change made impossible go back to automatic, schedule first (the scoring
 * depends on it); each with the reason, for one line under the form.
 */
export function fallBack(c: PruneChoices): {
  choices: PruneChoices;
  schedule: string | null;
  scoring: string | null;
} {
  const gradual = c.schedule === 'gradual' ? gradualBlocker(c) : null;
  const next: PruneChoices = gradual ? { ...c, schedule: AUTOMATIC } : c;
  const scoring =
    next.scoring === AUTOMATIC
      ? null
      : scoringProblem(next.criterion, next.scoring, resolvedSchedule(next), next.granularity);
  return {
    choices: scoring ? { ...next, scoring: AUTOMATIC } : next,
    schedule: gradual,
    scoring,
  };
}

/** What still stops the run after the fallbacks (movement with a schedule that is not gradual), or null. */
export function blockingProblem(c: PruneChoices): string | null {
  return scoringProblem(c.criterion, resolvedScoring(c), resolvedSchedule(c), c.granularity);
}

/** The gradual step fields as typed: a number, or empty ('') for "chosen by the engine". */
export interface GradualSteps {
  startStep: number | string;
  endStep: number | string;
  frequency: number | string;
}

/** The schedule to send: left out for automatic (the server resolves it); gradual with only the steps filled in. */
export function scheduleToSend(
  c: PruneChoices,
  rounds: number,
  steps: GradualSteps,
): PruneSchedule | undefined {
  if (c.schedule === 'iterative') return { kind: 'iterative', rounds };
  if (c.schedule === 'oneshot') return { kind: 'oneshot' };
  const filled = Object.entries(steps).filter(([, v]) => typeof v === 'number');
  // automatic resolving to gradual with steps typed in is gradual with those steps
  if (c.schedule === AUTOMATIC && (resolvedSchedule(c) !== 'gradual' || !filled.length)) return undefined;
  return { kind: 'gradual', ...(Object.fromEntries(filled) as Partial<Record<keyof GradualSteps, number>>) };
}

/** The schedule spelled out, automatic resolved (a sweep names the schedule of every run it plans). */
export function namedSchedule(c: PruneChoices, rounds: number, steps: GradualSteps): PruneSchedule {
  return scheduleToSend(c, rounds, steps) ?? { kind: defaultScheduleKind(gradualSettings(c)) };
}
