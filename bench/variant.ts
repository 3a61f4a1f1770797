// A pruning variant as the benches name it:
//   criterion[/scoring]@schedule[~lrSchedule][#norm][!keep-first][!keep-last][!structured][%floor][^rateScale]
//   schedule  oneshot | iterative:K | gradual:END_FRACTIONxPRUNE_STEPS (pruning from step 0 to END_FRACTION
//             of the fine-tune steps, in PRUNE_STEPS steps) | gradual (the steps a run that names none gets)
//   ~lr       constant | cosine | step; left out, the default a run that names none gets (cosine for a
//             gradual schedule, else constant: scheduleRule.ts defaultLrSchedule). A gradual schedule's
//             rate decays after its last prune step
//   ^S        the fine-tune starts at S × the protocol's training rate; left out, the product default
//             for the schedule (scheduleRule.ts defaultLrScale)
//   #l2|#mean|#none|#lamp  the global ranking's per-layer normalisation (default: the engine's choice)
//   !keep-first / !keep-last  leave the first / last (logits) layer dense;  %F  per-layer floor of kept weights (default 0.01)
//   !structured  remove whole filters/units (the target is a fraction of units; oneshot or iterative)
// e.g. taylor/accumulated@gradual:0.5x20~constant, lamp@oneshot^1, magnitude@oneshot~cosine
import type { Criterion, Granularity, LrSchedule, PruneSchedule, Scoring } from '../src/shared/dto';
import { criterionNames } from '../src/shared/criteria';
import { defaultLrScale, defaultLrSchedule } from '../src/shared/scheduleRule';
import type { LayerNormalization } from '../src/main/engine/prune/selection';

export interface Variant {
  name: string;
  criterion: Criterion;
  scoring: Scoring;
  schedule: PruneSchedule;
  /** undefined: the default for the cell's schedule (variantLrSchedule) */
  lrSchedule: LrSchedule | undefined;
  normalization?: LayerNormalization;
  pruneFirstLayer: boolean;
  pruneLastLayer: boolean;
  minKeptFraction: number;
  granularity: Granularity;
  /** the fine-tune's starting rate × the training rate; undefined: the product default */
  rateScale?: number;
}

const VARIANT =
  /^(\w+)(?:\/(\w+))?@([\w:.]+)(?:~(\w+))?(?:#(l2|mean|none|lamp))?(!keep-first)?(!keep-last)?(!structured)?(?:%([\d.]+))?(?:\^([\d.]+))?$/;

/** Reads a variant; `totalSteps` is the fine-tune's step count, which a gradual schedule is a fraction of. */
export function parseVariant(text: string, totalSteps: number): Variant {
  const m = VARIANT.exec(text);
  if (!m) throw new Error(`Cannot read variant "${text}".`);
  const [, criterion, scoring, scheduleText, lr, norm, keepFirst, keepLast, structured, floor, rate] = m;
  if (!(criterionNames as readonly string[]).includes(criterion!))
    throw new Error(`Unknown criterion in "${text}" (one of ${criterionNames.join(', ')}).`);
  let schedule: PruneSchedule = { kind: 'oneshot' };
  const iterative = /^iterative:(\d+)$/.exec(scheduleText!);
  const gradual = /^gradual:([\d.]+)x(\d+)$/.exec(scheduleText!);
  if (iterative) schedule = { kind: 'iterative', rounds: Number(iterative[1]) };
  else if (gradual) {
    const endStep = Math.round(Number(gradual[1]) * totalSteps);
    schedule = {
      kind: 'gradual',
      startStep: 0,
      endStep,
      frequency: Math.max(1, Math.round(endStep / Number(gradual[2]))),
    };
  } else if (scheduleText === 'gradual') schedule = { kind: 'gradual' };
  else if (scheduleText !== 'oneshot') throw new Error(`Unknown schedule in "${text}".`);
  return {
    name: text,
    criterion: criterion as Criterion,
    scoring: (scoring ?? 'calibration') as Scoring,
    schedule,
    lrSchedule: lr as LrSchedule | undefined,
    normalization: norm as LayerNormalization | undefined,
    pruneFirstLayer: !keepFirst,
    pruneLastLayer: !keepLast,
    minKeptFraction: floor === undefined ? 0.01 : Number(floor),
    granularity: structured ? 'structured' : 'unstructured',
    ...(rate ? { rateScale: Number(rate) } : {}),
  };
}

/** The fine-tune learning-rate schedule of a variant's cells. */
export function variantLrSchedule(variant: Variant): LrSchedule {
  return variant.lrSchedule ?? defaultLrSchedule({ schedule: variant.schedule });
}

/** The fine-tune's starting rate of a variant's cells, as a multiple of the training rate. */
export function variantRateScale(variant: Variant): number {
  return variant.rateScale ?? defaultLrScale({ schedule: variant.schedule });
}
