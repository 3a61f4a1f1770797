// Turns a run row into its job: which engine task, what input, what it waits for, and what its result
// writes to the store. Used by runs.start, runs.sweep and runs.resume alike.
import type { RunConfig, RunKind, RunSummary, TrainConfig } from '../../shared/dto';
import type { EvaluationReport, BackendInfo } from '../../shared/dto';
import { dataLayout } from '../engine/types';
import type { ServiceContext } from './context';
import { conflict, invalid, notFound } from './errors';

export function runKindOf(config: RunConfig): RunKind {
  if (config.prune && config.sensitivity)
    throw invalid('a run is either a prune run or a sensitivity run, not both');
  if (config.sensitivity) return 'sensitivity';
  if (config.prune) return 'prune';
  return 'train';
}

interface TrainResult {
  backend: BackendInfo;
  evaluation: EvaluationReport;
  modelDir: string;
}

interface PruneResult extends TrainResult {
  denseEvaluation: EvaluationReport;
  sparsity: number;
}

/** The dense parent's final model folder, read when the child starts (the parent may finish just before). */
function parentModelDir(ctx: ServiceContext, parentRunId: string): string {
  const state = ctx.store.runs.state(parentRunId);
  if (!state) throw notFound('parent run', parentRunId);
  if (state.status !== 'done') throw conflict(`parent run ${parentRunId} is ${state.status}, not done`);
  return state.modelDir ?? `${dataLayout.runDir(ctx.dataDir, parentRunId)}/model`;
}

/**
 * Checks that a prune/sensitivity run's parent can provide a dense model, and returns the job it must
 * wait for (if the parent is still queued or running here).
 */
export function parentDependency(ctx: ServiceContext, parentRunId: string, datasetId: string): string[] {
  const parent = ctx.store.runs.get(parentRunId);
  if (!parent) throw notFound('parent run', parentRunId);
  if (parent.kind !== 'train')
    throw invalid(`parent run ${parentRunId} is a ${parent.kind} run; a parent must be a train run`);
  if (parent.datasetId !== datasetId)
    throw invalid(`parent run ${parentRunId} was trained on another dataset`);
  if (parent.status === 'done') return [];
  const job = ctx.jobs.jobOfRun(parentRunId);
  if (job) return [job];
  throw conflict(`parent run ${parentRunId} is ${parent.status}; resume or re-run it first`);
}

/** Submits the job of an existing (queued) run and returns its job id. */
export function submitRunJob(ctx: ServiceContext, run: RunSummary, resume: boolean): string {
  const { config } = run;
  const kind = run.kind;
  const base = { runId: run.id, datasetId: run.datasetId };
  if (kind === 'train') {
    return ctx.jobs.submit({
      kind: 'train',
      task: 'trainTask',
      ...base,
      input: { runId: run.id, datasetId: run.datasetId, config: config.train satisfies TrainConfig, resume },
      onDone: (raw) => {
        const result = raw as TrainResult;
        ctx.store.runs.setBackend(run.id, result.backend);
        ctx.store.evaluations.save(run.id, 'final', result.evaluation);
        ctx.store.runs.setModelDir(run.id, result.modelDir);
      },
    });
  }
  const parentRunId = run.parentRunId ?? config.parentRunId;
  if (!parentRunId) throw invalid(`${kind} run ${run.id} has no parent run`);
  const after = parentDependency(ctx, parentRunId, run.datasetId);
  if (kind === 'prune') {
    return ctx.jobs.submit({
      kind: 'prune',
      task: 'pruneTask',
      ...base,
      after,
      input: () => ({
        runId: run.id,
        datasetId: run.datasetId,
        parentModelDir: parentModelDir(ctx, parentRunId),
        config,
        resume,
      }),
      onDone: (raw) => {
        const result = raw as PruneResult;
        ctx.store.runs.setBackend(run.id, result.backend);
        ctx.store.evaluations.save(run.id, 'dense', result.denseEvaluation);
        ctx.store.evaluations.save(run.id, 'final', result.evaluation);
        ctx.store.runs.setSparsity(run.id, result.sparsity);
        ctx.store.runs.setModelDir(run.id, result.modelDir);
      },
    });
  }
  const sensitivity = config.sensitivity;
  if (!sensitivity) throw invalid(`sensitivity run ${run.id} has no sensitivity config`);
  return ctx.jobs.submit({
    kind: 'sensitivity',
    task: 'sensitivityTask',
    ...base,
    after,
    input: () => ({
      runId: run.id,
      datasetId: run.datasetId,
      parentModelDir: parentModelDir(ctx, parentRunId),
      config: sensitivity,
    }),
    onDone: (raw) => {
      // Curves arrive as events too; saving them again keeps the run whole if an event was missed.
      const result = raw as {
        backend: BackendInfo;
        curves: Parameters<typeof ctx.store.sensitivity.save>[1][];
      };
      ctx.store.runs.setBackend(run.id, result.backend);
      for (const curve of result.curves) {
        ctx.store.sensitivity.save(run.id, curve);
      }
    },
  });
}
