// A sweep request becomes a grid of prune runs (criteria × sparsities × seeds × schedules) plus ONE dense
// train run per seed, which every prune run of that seed uses as its parent.
import type { Payload } from '../../shared/api';
import { defaultScoring, scoringProblem } from '../../shared/criteria';
import { defaultLrScale, defaultLrSchedule } from '../../shared/scheduleRule';
import type { Criterion, PruneConfig, PruneSchedule, RunConfig } from '../../shared/dto';

export interface PlannedRun {
  name: string;
  config: RunConfig;
}

export interface SweepPlan {
  /** One dense train run per seed, in seed order. */
  parents: (PlannedRun & { seed: number })[];
  /** Prune runs; `parentIndex` points into `parents`. */
  children: (PlannedRun & { parentIndex: number })[];
}

export function scheduleLabel(schedule: PruneSchedule): string {
  if (schedule.kind === 'iterative') return `iterative:${schedule.rounds}`;
  if (schedule.kind === 'gradual') {
    const { startStep, endStep, frequency } = schedule;
    // steps left out are chosen by the engine from the fine-tune budget
    if (startStep === undefined && endStep === undefined && frequency === undefined) return 'gradual';
    return `gradual:${startStep ?? 'auto'}-${endStep ?? 'auto'}/${frequency ?? 'auto'}`;
  }
  return 'oneshot';
}

/**
 * The request's prune settings for one cell. Its scoring was resolved (schemas.ts) for the request's own
 * criterion and schedule; a cell with another criterion or schedule keeps it where it can run there and
 * otherwise gets that cell's default (magnitude has no accumulated scores; oneshot accumulates nothing).
 * A learning-rate schedule or scale the request left out is the default for the cell's own schedule.
 */
function cellPrune(
  prune: Payload<'runs.sweep'>['prune'],
  criterion: Criterion,
  sparsity: number,
  schedule: PruneSchedule,
): PruneConfig {
  const scoring = scoringProblem(criterion, prune.scoring, schedule.kind, prune.granularity)
    ? defaultScoring(criterion, schedule.kind, prune.granularity)
    : prune.scoring;
  const target = { kind: 'sparsity' as const, value: sparsity };
  const finetuneLrSchedule = prune.finetuneLrSchedule ?? defaultLrSchedule({ schedule });
  const finetuneLrScale = prune.finetuneLrScale ?? defaultLrScale({ schedule });
  return { ...prune, criterion, scoring, target, schedule, finetuneLrSchedule, finetuneLrScale };
}

export function expandSweep(request: Payload<'runs.sweep'>): SweepPlan {
  const base = request.name ?? 'sweep';
  const seeds = [...new Set(request.seeds)];
  const parents = seeds.map((seed) => ({
    seed,
    name: `${base} · dense · seed ${seed}`,
    config: { datasetId: request.datasetId, train: { ...request.train, seed } } satisfies RunConfig,
  }));
  const children: SweepPlan['children'] = [];
  parents.forEach((parent, parentIndex) => {
    for (const criterion of new Set(request.criteria)) {
      for (const sparsity of new Set(request.sparsities)) {
        for (const schedule of request.schedules) {
          children.push({
            parentIndex,
            name: `${base} · ${criterion} ${percent(sparsity)} ${scheduleLabel(schedule)} · seed ${parent.seed}`,
            config: {
              datasetId: request.datasetId,
              train: parent.config.train,
              prune: cellPrune(request.prune, criterion, sparsity, schedule),
            },
          });
        }
      }
    }
  });
  return { parents, children };
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}
