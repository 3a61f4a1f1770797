import type * as tf from '@tensorflow/tfjs';
import type { EvaluationReport, PruneConfig, PruneStepReport } from '../../../shared/dto';
import { countFlops } from '../models/counts';
import { evaluateModel, throwIfAborted } from '../train/evaluate';
import type { LoadedCheckpoint } from '../train/checkpoint';
import type { ModelMeta } from '../train/modelState';
import { trainModel } from '../train/trainLoop';
import type { BatchProgress, EpochResult, TrainLoopConfig } from '../train/trainTypes';
import type { ImageSet } from '../types';
import { CALIBRATION_BATCH_SIZE, disposeCalibration, makeCalibrationBatches } from './calibration';
import { applyMasks, countRevivedWeights, disposeMasks, type WeightMasks } from './masks';
import { findPrunableKernels } from './prunableKernels';
import { pruneUnstructuredStep } from './pruneStep';
import { criterionNeedsLayerNormalization } from './saliency';
import {
  gradualSparsity,
  isGradualPruneStep,
  iterativeSparsity,
  validateGradualSchedule,
  type GradualSchedule,
} from './schedules';
import type { SelectionRules } from './selection';
import {
  initialStructuredState,
  pruneStructuredStep,
  type StructuredState,
} from './structured/structuredStep';

export interface PruneSessionInput {
  /**
   * the dense model, pruned in place (unstructured); structured pruning builds smaller models instead.
   * The caller always owns and disposes the model it passed in; result.model, when a different one,
   * is the caller's too.
   */
  model: tf.LayersModel;
  train: ImageSet;
  validation: ImageSet | null;
  /** evaluated right after the final prune step, before fine-tuning */
  test: ImageSet;
  classNames: string[];
  prune: PruneConfig;
  /** optimizer, batch size, seed … of fine-tuning; epochs come from prune.finetuneEpochs */
  finetune: TrainLoopConfig;
  signal?: AbortSignal;
  onReport?(report: PruneStepReport): void;
  onEpoch?(result: EpochResult, round: number): void | Promise<void>;
  onPrunedEvaluation?(report: EvaluationReport): void;
  onProgress?(phase: string, done: number, total: number): void;
  /** after every fine-tune batch */
  onBatch?(progress: BatchProgress, round: number): void;
  /** fine-tune checkpoints (with masks) go under dir/round-<r>/ */
  checkpoint?: { dir: string; meta: ModelMeta; onSaved?(path: string, epochsCompleted: number): void };
  /** continue from a checkpoint this session wrote (see loadLatestPruneCheckpoint) */
  resume?: { round: number; checkpoint: LoadedCheckpoint };
  measureLatency?: boolean;
  /** parameters and FLOPs of the unpruned model, when `model` is not it (a resumed structured run) */
  dense?: { parameters: number; flops: number };
}

export interface PruneSessionResult {
  model: tf.LayersModel;
  /** empty for structured pruning: removed units need no mask */
  masks: WeightMasks;
  /** the prune steps of this session (a resumed session lists only those after the resume) */
  reports: PruneStepReport[];
  /** the latest prune step's report, also when it happened before a resume */
  finalReport: PruneStepReport | null;
  prunedEvaluation: EvaluationReport | null;
  revivedWeights: number;
  steps: number;
  finetuneEpochs: number;
}

/** What a prune checkpoint's meta.extra carries so a resumed session knows where it stands. */
export interface PruneCheckpointExtra {
  pruneRound: number;
  prunedEvaluation: EvaluationReport | null;
  structured: { unitOrigins: [string, number[]][]; denseShapes: [string, number[]][] } | null;
  lastReport: PruneStepReport | null;
}

/**
 * Prunes and fine-tunes by the configured schedule:
 * - oneshot: prune once to the target, fine-tune `finetuneEpochs` epochs;
 * - iterative: `rounds` × (prune → fine-tune `finetuneEpochs` epochs), sparsity rising geometrically;
 * - gradual: fine-tune `finetuneEpochs` epochs, pruning before batches on the Zhu & Gupta cubic schedule.
 * Masks are re-applied after every optimizer step. Structured pruning (oneshot or iterative) replaces the
 * model by a physically smaller one and fine-tunes that.
 */
export async function runPruneSession(input: PruneSessionInput): Promise<PruneSessionResult> {
  const { prune, signal } = input;
  const structured = prune.granularity === 'structured';
  const schedule = prune.schedule;
  if (schedule.kind === 'gradual' && structured) {
    throw new Error('Structured pruning runs oneshot or iterative, not gradual.');
  }
  if (schedule.kind === 'gradual' && prune.target.kind !== 'sparsity') {
    throw new Error('The gradual schedule needs a target sparsity, not a threshold.');
  }
  if (schedule.kind === 'gradual' && prune.finetuneEpochs < 1) {
    throw new Error('The gradual schedule prunes while fine-tuning: set at least 1 fine-tune epoch.');
  }

  let model = input.model;
  const dense = input.dense ?? { parameters: model.countParams(), flops: countFlops(model) };
  const masks: WeightMasks = input.resume?.checkpoint.masks ?? new Map();
  const extra = input.resume?.checkpoint.meta.extra as PruneCheckpointExtra | undefined;
  let structuredState: StructuredState | null = structured
    ? extra?.structured
      ? {
          unitOrigins: new Map(extra.structured.unitOrigins),
          denseShapes: new Map(extra.structured.denseShapes),
        }
      : initialStructuredState(model)
    : null;
  const reports: PruneStepReport[] = [];
  let lastReport: PruneStepReport | null = extra?.lastReport ?? null;
  let prunedEvaluation: EvaluationReport | null = extra?.prunedEvaluation ?? null;
  let trainingSteps = 0;
  let pruneSteps = 0;
  let finetuneEpochs = 0;
  const rounds = schedule.kind === 'iterative' ? schedule.rounds : 1;
  const firstRound = input.resume?.round ?? 1;

  const rulesFor = (sparsity: number): SelectionRules => ({
    target: prune.target.kind === 'threshold' ? prune.target : { kind: 'sparsity', value: sparsity },
    scope: prune.scope,
    minKeptFraction: prune.minKeptFraction,
    normalizePerLayer: criterionNeedsLayerNormalization(prune.criterion),
  });

  const pruneNow = async (sparsity: number, atStep: number): Promise<void> => {
    throwIfAborted(signal);
    input.onProgress?.('prune', pruneSteps, rounds);
    const batches = makeCalibrationBatches(input.train, input.classNames.length, {
      batches: prune.calibrationBatches,
      batchSize: CALIBRATION_BATCH_SIZE,
      seed: input.finetune.seed + atStep,
    });
    try {
      pruneSteps += 1;
      const common = {
        criterion: prune.criterion,
        rules: rulesFor(sparsity),
        batches,
        seed: input.finetune.seed,
        step: pruneSteps,
        atStep,
        dense,
      };
      if (structuredState) {
        const result = await pruneStructuredStep({
          ...common,
          model,
          state: structuredState,
          pruneFirstLayer: prune.pruneFirstLayer,
          measureLatency: input.measureLatency ?? true,
        });
        if (model !== input.model) model.dispose();
        model = result.model;
        structuredState = result.state;
        lastReport = result.report;
      } else {
        const kernels = findPrunableKernels(model, prune);
        lastReport = pruneUnstructuredStep({ ...common, model, kernels, masks });
      }
      reports.push(lastReport);
      input.onReport?.(lastReport);
    } finally {
      disposeCalibration(batches);
    }
  };

  const evaluatePruned = async () => {
    prunedEvaluation = await evaluateModel(model, input.test, input.classNames, { signal });
    input.onPrunedEvaluation?.(prunedEvaluation);
  };

  try {
    for (let round = firstRound; round <= rounds; round++) {
      const resuming = input.resume && round === firstRound ? input.resume.checkpoint : null;
      if (schedule.kind !== 'gradual' && !resuming) {
        await pruneNow(iterativeSparsity(targetValue(prune), round, rounds), trainingSteps);
        if (round === rounds) await evaluatePruned();
      }
      if (prune.finetuneEpochs === 0) continue;
      const gradual = schedule.kind === 'gradual' ? schedule : null;
      if (gradual) {
        const totalSteps = prune.finetuneEpochs * Math.ceil(input.train.count / input.finetune.batchSize);
        validateGradualSchedule(gradual, totalSteps);
      }
      const result = await trainModel({
        model,
        train: input.train,
        validation: input.validation,
        classes: input.classNames.length,
        config: { ...input.finetune, epochs: prune.finetuneEpochs, lrSchedule: prune.finetuneLrSchedule },
        signal,
        resume: resuming ? { optimizer: resuming.optimizer, loop: resuming.loop } : undefined,
        hooks: {
          beforeBatch: gradual
            ? async (step) => {
                if (!isGradualPruneStep(step, gradual)) return;
                const sparsity = gradualSparsity(step, gradual, targetValue(prune));
                if (sparsity <= 0) return;
                await pruneNow(sparsity, step);
                if (step === gradual.endStep) await evaluatePruned();
              }
            : undefined,
          // always hooked: gradual pruning adds masks after the loop has started
          afterOptimizerStep: structuredState ? undefined : () => applyMasks(model, masks),
        },
        onEpoch: (r) => input.onEpoch?.(r, round),
        onBatch: (p) => input.onBatch?.(p, round),
        checkpoint: input.checkpoint
          ? {
              dir: `${input.checkpoint.dir}/round-${round}`,
              meta: metaWithLiveExtra(input.checkpoint.meta, () => checkpointExtra(round)),
              masks: () => masks,
              onSaved: input.checkpoint.onSaved,
            }
          : undefined,
      });
      trainingSteps += result.steps;
      finetuneEpochs += result.epochsCompleted;
    }
    return {
      model,
      masks,
      reports,
      finalReport: lastReport,
      prunedEvaluation,
      revivedWeights: masks.size > 0 ? countRevivedWeights(model, masks) : 0,
      steps: pruneSteps,
      finetuneEpochs,
    };
  } catch (error) {
    if (model !== input.model) model.dispose();
    disposeMasks(masks);
    throw error;
  }

  function checkpointExtra(round: number): PruneCheckpointExtra {
    return {
      pruneRound: round,
      prunedEvaluation,
      structured: structuredState
        ? {
            unitOrigins: [...structuredState.unitOrigins],
            denseShapes: [...structuredState.denseShapes],
          }
        : null,
      lastReport,
    };
  }
}

/**
 * The loop copies meta ({ ...meta }) when it saves a checkpoint; a getter makes that copy carry the
 * session's state at that moment (round, structured units, pruned evaluation) rather than at start.
 */
function metaWithLiveExtra(meta: ModelMeta, extra: () => PruneCheckpointExtra): ModelMeta {
  const live = { ...meta };
  Object.defineProperty(live, 'extra', {
    enumerable: true,
    get: () => ({ ...meta.extra, ...extra() }),
  });
  return live;
}

function targetValue(prune: PruneConfig): number {
  return prune.target.kind === 'sparsity' ? prune.target.value : 0;
}

export type { GradualSchedule };
