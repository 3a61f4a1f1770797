import type * as tf from '@tensorflow/tfjs';
import { scoringProblem } from '../../../shared/criteria';
import type { AfterPruneMeasure, EvaluationReport, PruneConfig, PruneStepReport } from '../../../shared/dto';
import { countFlops } from '../models/counts';
import { evaluateModel, throwIfAborted } from '../train/evaluate';
import type { LoadedCheckpoint } from '../train/checkpoint';
import type { ModelMeta } from '../train/modelState';
import { trainModel } from '../train/trainLoop';
import type { BatchProgress, EpochResult, TrainLoopConfig } from '../train/trainTypes';
import type { ImageSet } from '../types';
import { CALIBRATION_BATCH_SIZE, disposeCalibration, makeCalibrationBatches } from './calibration';
import { applyMasks, countRevivedWeights, disposeMasks, prunedFlags, type WeightMasks } from './masks';
import { findPrunableKernels } from './prunableKernels';
import { pruneUnstructuredStep } from './pruneStep';
import { layerNormalization } from './saliency';
import { createScoreAccumulator, type ScoreAccumulator } from './scoreAccumulator';
import {
  fitScheduleToBudget,
  gradualSparsity,
  isGradualPruneStep,
  iterativeSparsity,
  resolveGradualSchedule,
  validateGradualSchedule,
  type GradualSchedule,
  type ResolvedGradualSchedule,
} from './schedules';
import type { LayerNormalization, SelectionRules } from './selection';
import { imageSubset } from './subset';
import {
  initialStructuredState,
  pruneStructuredStep,
  type StructuredState,
} from './structured/structuredStep';

/** Test images that measure each earlier step of a gradual schedule (its last step is measured in full). */
export const GRADUAL_STEP_TEST_IMAGES = 1000;

export interface PruneSessionInput {
  /**
   * the dense model, pruned in place (unstructured); structured pruning builds smaller models instead.
   * The caller always owns and disposes the model it passed in; result.model, when a different one,
   * is the caller's too.
   */
  model: tf.LayersModel;
  train: ImageSet;
  validation: ImageSet | null;
  /** evaluated right after every prune step, before fine-tuning (the last step's in full) */
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
  /**
   * masks the model already carries (a pruned parent's): they stay, so sparsity only rises, and revived
   * weights are counted against them too. The session takes ownership of these tensors.
   */
  initialMasks?: WeightMasks;
  /** experiments only: override the criterion's cross-layer normalisation in global ranking */
  normalization?: LayerNormalization;
}

/**
 * The training loop's settings for a prune run's fine-tune: `finetune` is the training run's (its rate
 * scaled by prune.finetuneLrScale). Fine-tuning proper starts once the model has its final sparsity, so a
 * decaying rate decays from the last prune step of a gradual schedule (from the first step after a
 * one-shot or iterative cut).
 */
export function finetuneLoopConfig(
  finetune: TrainLoopConfig,
  prune: PruneConfig,
  gradual: ResolvedGradualSchedule | null,
): TrainLoopConfig {
  return {
    ...finetune,
    epochs: prune.finetuneEpochs,
    // a run stored before the scale was a setting fine-tuned at the training rate
    learningRate: finetune.learningRate * (prune.finetuneLrScale ?? 1),
    lrSchedule: prune.finetuneLrSchedule,
    lrDecayStartStep: gradual?.endStep,
  };
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
  /** steps the accumulated scores (saved as the checkpoint's side tensors) have seen; 0 without */
  accumulatorSteps?: number;
  /** the sparsity the run started from (absent in checkpoints written before it was saved) */
  initialSparsity?: number;
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
  const { signal } = input;
  const prune = fitScheduleToBudget(
    input.prune,
    input.prune.finetuneEpochs * Math.ceil(input.train.count / input.finetune.batchSize),
  );
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
  const problem = scoringProblem(prune.criterion, prune.scoring, schedule.kind, prune.granularity);
  if (problem) throw new Error(`Cannot prune with ${prune.criterion}: ${problem}.`);
  if (structured && input.initialMasks && input.initialMasks.size > 0) {
    disposeMasks(input.initialMasks);
    throw new Error(
      'Structured pruning starts from a dense model: this parent was pruned unstructured. Prune its dense parent instead.',
    );
  }

  let model = input.model;
  const dense = input.dense ?? { parameters: model.countParams(), flops: countFlops(model) };
  if (input.resume && input.initialMasks) disposeMasks(input.initialMasks); // the checkpoint's masks include them
  const masks: WeightMasks = input.resume?.checkpoint.masks ?? input.initialMasks ?? new Map();
  const extra = input.resume?.checkpoint.meta.extra as PruneCheckpointExtra | undefined;
  /**
   * the sparsity the run started from (0, or a pruned parent's): schedules rise from here, never below.
   * A resumed run takes it from its checkpoint — its masks are already part-way up the schedule.
   */
  const initialSparsity =
    extra?.initialSparsity ?? (masks.size > 0 ? maskedSparsity(findPrunableKernels(model, prune), masks) : 0);
  if (prune.target.kind === 'sparsity' && prune.target.value < initialSparsity - 1e-9) {
    disposeMasks(masks);
    throw new Error(
      `The parent is already ${(initialSparsity * 100).toFixed(1)}% sparse, above the target ${(prune.target.value * 100).toFixed(1)}%: pruned weights stay pruned, so choose a higher target.`,
    );
  }
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
    // random has no signal to compare across layers: its global form cuts every layer to the target
    // (a global draw of whole units can empty a small layer by chance, which is no baseline)
    scope: prune.criterion === 'random' ? 'layer' : prune.scope,
    minKeptFraction: prune.minKeptFraction,
    normalization: input.normalization ?? layerNormalization(prune.criterion, prune.granularity),
  });
  let accumulator: ScoreAccumulator | null = null;

  const pruneNow = async (sparsity: number, at: { step: number; epoch: number; final: boolean }) => {
    throwIfAborted(signal);
    input.onProgress?.('prune', pruneSteps, rounds);
    const batches = accumulator
      ? []
      : makeCalibrationBatches(input.train, input.classNames.length, {
          batches: prune.calibrationBatches,
          batchSize: CALIBRATION_BATCH_SIZE,
          seed: input.finetune.seed + at.step,
        });
    let report: PruneStepReport;
    try {
      pruneSteps += 1;
      const common = {
        criterion: prune.criterion,
        rules: rulesFor(sparsity),
        batches,
        seed: input.finetune.seed,
        step: pruneSteps,
        atStep: at.step,
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
        report = result.report;
      } else {
        const kernels = findPrunableKernels(model, prune);
        report = pruneUnstructuredStep({
          ...common,
          model,
          kernels,
          masks,
          scores: accumulator?.scores(),
        });
      }
    } finally {
      disposeCalibration(batches);
    }
    const afterPrune = await measureAfterPrune(at.final);
    lastReport = { ...report, atEpoch: at.epoch, ...(afterPrune ? { afterPrune } : {}) };
    reports.push(lastReport);
    input.onReport?.(lastReport);
  };

  /**
   * The damage a prune step did, before fine-tuning repairs it: every step is evaluated on the test split
   * (the last one in full, kept as the pruned evaluation). Gradual pruning steps between batches, maybe
   * hundreds of times, so its earlier steps are measured on a fixed subset of the test images.
   */
  const measureAfterPrune = async (final: boolean): Promise<AfterPruneMeasure | null> => {
    if (input.test.count === 0) return null;
    const subset = schedule.kind === 'gradual' && !final;
    const set = subset ? imageSubset(input.test, GRADUAL_STEP_TEST_IMAGES, input.finetune.seed) : input.test;
    const report = await evaluateModel(model, set, input.classNames, {
      signal,
      onProgress: (done, total) => input.onProgress?.('evaluate-pruned', done, total),
    });
    if (final) {
      prunedEvaluation = report;
      input.onPrunedEvaluation?.(report);
    }
    return { split: 'test', images: set.count, accuracy: report.accuracy, loss: report.loss };
  };

  const batchesPerEpoch = Math.max(1, Math.ceil(input.train.count / input.finetune.batchSize));

  try {
    for (let round = firstRound; round <= rounds; round++) {
      const resuming = input.resume && round === firstRound ? input.resume.checkpoint : null;
      if (schedule.kind !== 'gradual' && !resuming) {
        await pruneNow(iterativeSparsity(targetValue(prune), round, rounds, initialSparsity), {
          step: trainingSteps,
          epoch: (round - 1) * prune.finetuneEpochs,
          final: round === rounds,
        });
      }
      if (prune.finetuneEpochs === 0) continue;
      const totalSteps = prune.finetuneEpochs * Math.ceil(input.train.count / input.finetune.batchSize);
      const gradual = schedule.kind === 'gradual' ? resolveGradualSchedule(schedule, totalSteps) : null;
      if (gradual) validateGradualSchedule(gradual, totalSteps);
      if (gradual && prune.scoring === 'accumulated') {
        accumulator = createScoreAccumulator(findPrunableKernels(model, prune), prune.criterion);
        // a resumed run continues the average it had, so its next prune steps rank as they would have
        const seen = resuming ? (extra?.accumulatorSteps ?? 0) : 0;
        if (resuming && seen > 0) accumulator.restore(seen, resuming.side);
      }
      const result = await trainModel({
        model,
        train: input.train,
        validation: input.validation,
        classes: input.classNames.length,
        config: finetuneLoopConfig(input.finetune, prune, gradual),
        signal,
        resume: resuming ? { optimizer: resuming.optimizer, loop: resuming.loop } : undefined,
        // a gradual run's early stopping starts once the last prune step is behind it: stopping earlier
        // would end the run short of its target sparsity
        earlyStoppingAfterStep: gradual ? gradual.endStep : undefined,
        hooks: {
          beforeBatch: gradual
            ? async (step) => {
                if (!isGradualPruneStep(step, gradual)) return;
                const sparsity = gradualSparsity(step, gradual, targetValue(prune), initialSparsity);
                // nothing to score before the first step's gradients; nothing new to prune at s_i
                if (sparsity <= initialSparsity || (accumulator && accumulator.steps === 0)) return;
                await pruneNow(sparsity, {
                  step,
                  epoch: step / batchesPerEpoch,
                  final: step === gradual.endStep,
                });
              }
            : undefined,
          gradients: accumulator ? (grads, variables) => accumulator!.observe(grads, variables) : undefined,
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
              side: () => accumulator?.state() ?? [],
              onSaved: input.checkpoint.onSaved,
            }
          : undefined,
      });
      trainingSteps += result.steps;
      finetuneEpochs += result.epochsCompleted;
      accumulator?.dispose();
      accumulator = null;
    }
    assertTargetReached(prune, lastReport);
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
    accumulator?.dispose();
    if (model !== input.model) model.dispose();
    disposeMasks(masks);
    throw error;
  }

  function checkpointExtra(round: number): PruneCheckpointExtra {
    return {
      pruneRound: round,
      prunedEvaluation,
      accumulatorSteps: accumulator?.steps ?? 0,
      initialSparsity,
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

/**
 * A prune run ends at its target sparsity or fails saying why — never quietly short of it (a schedule
 * cut off early, a per-layer floor that leaves too little to cut).
 */
function assertTargetReached(prune: PruneConfig, report: PruneStepReport | null): void {
  if (prune.target.kind !== 'sparsity' || prune.target.value === 0) return;
  if (!report) throw new Error('The run ended before its first prune step.');
  // met to the nearest weight (structured: unit) — round(s·n) of them are cut
  const reached = report.units ? report.units.sparsity : report.achievedSparsity;
  const tolerance = 1 / Math.max(1, report.units ? report.units.total : report.totals.prunableWeights);
  if (reached + tolerance < prune.target.value) {
    throw new Error(
      `Pruning reached ${(reached * 100).toFixed(2)}% of the target ${(prune.target.value * 100).toFixed(2)}%: ` +
        (report.targetSparsity < prune.target.value
          ? 'the schedule ended before its last prune step.'
          : 'the per-layer minimum kept fraction leaves too little to prune; lower it or the target.'),
    );
  }
}

/** Fraction of the kernels' weights that the masks zero. */
function maskedSparsity(kernels: readonly { key: string; size: number }[], masks: WeightMasks): number {
  let total = 0;
  let pruned = 0;
  for (const k of kernels) {
    total += k.size;
    const flags = prunedFlags(masks, k.key);
    if (flags) for (let i = 0; i < flags.length; i++) pruned += flags[i]!;
  }
  return total === 0 ? 0 : pruned / total;
}

function targetValue(prune: PruneConfig): number {
  return prune.target.kind === 'sparsity' ? prune.target.value : 0;
}

export type { GradualSchedule };
