import type * as tf from '@tensorflow/tfjs';
import type { Criterion, PruneStepReport } from '../../../shared/dto';
import type { CalibrationBatch } from './calibration';
import { applyMasks, masksFromSelection, prunedFlags, replaceMasks, type WeightMasks } from './masks';
import type { PrunableKernel } from './prunableKernels';
import { layerReport, modelTotals } from './report';
import { computeSaliency, type SaliencyScores } from './saliency';
import { selectWeights, type SelectionRules } from './selection';

export interface UnstructuredStepInput {
  model: tf.LayersModel;
  kernels: readonly PrunableKernel[];
  /** updated in place: the loop's afterOptimizerStep reads the same map */
  masks: WeightMasks;
  criterion: Criterion;
  rules: SelectionRules;
  batches: readonly CalibrationBatch[];
  seed: number;
  /** 1-based prune step of this run, and the training step it happened at */
  step: number;
  atStep: number;
  /** the model before any pruning */
  dense: { parameters: number; flops: number };
  /** scores gathered elsewhere (accumulated while training); else computed on `batches` */
  scores?: SaliencyScores;
}

/**
 * One unstructured prune: score every prunable weight, choose what to cut (weights pruned earlier stay
 * pruned), update the masks, zero the weights, report.
 */
export function pruneUnstructuredStep(input: UnstructuredStepInput): PruneStepReport {
  const { model, kernels, masks, criterion, rules, batches, seed } = input;
  const scores = input.scores ?? computeSaliency(model, kernels, criterion, batches, seed);
  const selections = selectWeights(
    kernels.map((k) => ({
      key: k.key,
      scores: scores.get(k.key)!,
      alreadyPruned: prunedFlags(masks, k.key),
    })),
    rules,
  );
  replaceMasks(masks, masksFromSelection(kernels, selections));
  applyMasks(model, masks);
  const layers = kernels.map((k, i) =>
    layerReport(k, selections[i]!.keep, scores.get(k.key)!, selections[i]!.threshold),
  );
  const weights = layers.reduce((a, l) => a + l.weights, 0);
  const kept = layers.reduce((a, l) => a + l.kept, 0);
  const achievedSparsity = weights === 0 ? 0 : 1 - kept / weights;
  return {
    step: input.step,
    atStep: input.atStep,
    targetSparsity: rules.target.kind === 'sparsity' ? rules.target.value : achievedSparsity,
    achievedSparsity,
    layers,
    totals: modelTotals(model, layers, input.dense),
  };
}
