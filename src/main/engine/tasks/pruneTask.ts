// The job worker's entry point for prune runs: load the dense parent and the dataset, prune by the run's
// schedule, fine-tune, evaluate, save the pruned model (with its masks) under runs/<runId>/model.
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { BackendInfo, EvaluationReport, RunConfig } from '../../../shared/dto';
import { pruneConfig as pruneConfigSchema } from '../../../shared/schemas';
import { initBackend } from '../backend';
import { countFlops } from '../models/counts';
import { readDatasetCache } from '../data/cache';
import { loadLatestPruneCheckpoint } from '../prune/pruneCheckpoint';
import { runPruneSession } from '../prune/pruneSession';
import { disposeMasks } from '../prune/masks';
import { evaluateModel } from '../train/evaluate';
import { loadModelState, saveModelState, type ModelMeta } from '../train/modelState';
import { dataLayout, type TaskContext } from '../types';
import { checkModelFitsData, epochEvent } from './taskShared';

export interface PruneTaskInput {
  runId: string;
  datasetId: string;
  parentModelDir: string;
  config: RunConfig;
  resume: boolean;
}

export interface PruneTaskLayer {
  name: string;
  weights: number;
  kept: number;
  sparsity: number;
}

export interface PruneTaskResult {
  backend: BackendInfo;
  /** the dense parent on the test split */
  denseEvaluation: EvaluationReport;
  /** right after the final prune step, before fine-tuning (null only if it could not be measured) */
  prunedEvaluation: EvaluationReport | null;
  /** after fine-tuning */
  evaluation: EvaluationReport;
  denseAccuracy: number;
  prunedAccuracy: number | null;
  accuracy: number;
  /** achieved, over prunable weights */
  sparsity: number;
  /** pruned weights that are not exactly zero at the end; always 0 unless something is broken */
  revivedWeights: number;
  /** prune steps taken */
  steps: number;
  modelDir: string;
  layers: PruneTaskLayer[];
}

export async function pruneTask(input: PruneTaskInput, ctx: TaskContext): Promise<PruneTaskResult> {
  if (!input.config.prune) throw new Error(`Run ${input.runId} has no prune settings.`);
  const parsed = pruneConfigSchema.safeParse(input.config.prune);
  if (!parsed.success) {
    throw new Error(
      `Run ${input.runId} has invalid prune settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const prune = parsed.data;
  const backend = await initBackend();
  ctx.emit({ type: 'backend', backend });

  const { splits } = await readDatasetCache(dataLayout.datasetDir(ctx.dataDir, input.datasetId));
  const classNames = [...splits.classes];
  const runDir = dataLayout.runDir(ctx.dataDir, input.runId);
  const checkpointsDir = join(runDir, 'checkpoints');
  const modelDir = join(runDir, 'model');

  const parent = await loadModelState(input.parentModelDir);
  // a pruned parent's masks carry over: what it removed stays removed, and sparsity only rises
  let parentMasks = parent.masks;
  const owned: tf.LayersModel[] = [parent.model];
  const resumeSlots: tf.Tensor[] = [];
  try {
    checkModelFitsData(parent.model, splits, input.parentModelDir);
    ctx.emit({ type: 'progress', phase: 'evaluate-dense', done: 0, total: 1 });
    const denseEvaluation = await evaluateModel(parent.model, splits.test, classNames, {
      signal: ctx.signal,
    });
    ctx.emit({ type: 'evaluation', which: 'dense', report: denseEvaluation });

    const resumeFrom = input.resume ? await loadLatestPruneCheckpoint(checkpointsDir) : null;
    if (resumeFrom) {
      owned.push(resumeFrom.checkpoint.model);
      resumeSlots.push(
        ...resumeFrom.checkpoint.optimizer.slots.flat(),
        ...resumeFrom.checkpoint.side.values(),
      );
    }
    const meta: ModelMeta = {
      ...parent.meta,
      runId: input.runId,
      extra: { ...parent.meta.extra, parentModelDir: input.parentModelDir, prune },
    };
    const finetune = { ...input.config.train, epochs: Math.max(1, prune.finetuneEpochs) };
    const batchesPerEpoch = Math.ceil(splits.train.count / finetune.batchSize);
    const totalEpochs =
      prune.finetuneEpochs * (prune.schedule.kind === 'iterative' ? prune.schedule.rounds : 1);

    const initialMasks = parentMasks ?? undefined;
    parentMasks = null; // the session owns them now
    const session = await runPruneSession({
      model: resumeFrom?.checkpoint.model ?? parent.model,
      initialMasks,
      dense: { parameters: parent.model.countParams(), flops: countFlops(parent.model) },
      train: splits.train,
      validation: splits.validation.count > 0 ? splits.validation : null,
      test: splits.test,
      classNames,
      prune,
      finetune,
      signal: ctx.signal,
      resume: resumeFrom ?? undefined,
      checkpoint: {
        dir: checkpointsDir,
        meta,
        onSaved: (path, epoch) => ctx.emit({ type: 'checkpoint', epoch, phase: 'finetune', path }),
      },
      onReport: (report) => ctx.emit({ type: 'pruneStep', report }),
      onPrunedEvaluation: (report) =>
        // epoch 0 of fine-tuning: the pruned model before any training, on the test split
        ctx.emit({
          type: 'epoch',
          epoch: 0,
          phase: 'finetune',
          values: [
            { split: 'test', name: 'accuracy', value: report.accuracy },
            { split: 'test', name: 'loss', value: report.loss },
          ],
        }),
      onEpoch: (result, round) =>
        ctx.emit(
          epochEvent({ ...result, epoch: (round - 1) * prune.finetuneEpochs + result.epoch }, 'finetune'),
        ),
      onBatch: (p, round) =>
        ctx.emit({
          type: 'progress',
          phase: 'finetune',
          done: ((round - 1) * prune.finetuneEpochs + p.epoch) * batchesPerEpoch + p.batch + 1,
          total: totalEpochs * batchesPerEpoch,
        }),
      onProgress: (phase, done, total) => ctx.emit({ type: 'progress', phase, done, total }),
    });
    if (!owned.includes(session.model)) owned.push(session.model);
    try {
      ctx.emit({ type: 'progress', phase: 'evaluate', done: 0, total: 1 });
      const evaluation = await evaluateModel(session.model, splits.test, classNames, { signal: ctx.signal });
      ctx.emit({ type: 'evaluation', which: 'final', report: evaluation });
      await saveModelState(modelDir, {
        model: session.model,
        masks: session.masks.size > 0 ? session.masks : null,
        meta: { ...meta, backend, epochsCompleted: session.finetuneEpochs },
      });
      const final = session.finalReport;
      return {
        backend,
        denseEvaluation,
        prunedEvaluation: session.prunedEvaluation,
        evaluation,
        denseAccuracy: denseEvaluation.accuracy,
        prunedAccuracy: session.prunedEvaluation?.accuracy ?? null,
        accuracy: evaluation.accuracy,
        sparsity: final?.achievedSparsity ?? 0,
        revivedWeights: session.revivedWeights,
        steps: final?.step ?? 0,
        modelDir,
        layers: (final?.layers ?? []).map(({ name, weights, kept, sparsity }) => ({
          name,
          weights,
          kept,
          sparsity,
        })),
      };
    } finally {
      disposeMasks(session.masks);
    }
  } finally {
    disposeMasks(parentMasks);
    for (const m of owned) m.dispose();
    // the loop copied the optimizer state it resumed from; these originals are ours to free
    for (const t of resumeSlots) t.dispose();
  }
}
