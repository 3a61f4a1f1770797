import type * as tf from '@tensorflow/tfjs';
import type { Criterion, LayerPruneReport, PruneStepReport } from '../../../../shared/dto';
import type { CalibrationBatch } from '../calibration';
import { compareLatency } from '../latency';
import { allKernels, findPrunableKernels, type PrunableKernel } from '../prunableKernels';
import { layerReport, modelTotals } from '../report';
import { computeSaliency } from '../saliency';
import { selectWeights, type SelectionRules } from '../selection';
import { shrinkModel } from './shrink';
import { unitScores } from './unitScores';

/** What structured pruning remembers across rounds: which of the dense model's units each layer still has. */
export interface StructuredState {
  /** layer name → original unit indices still present, ascending */
  unitOrigins: Map<string, number[]>;
  /** layer name → the dense model's kernel shape; every Conv2D/Dense in layer order */
  denseShapes: Map<string, number[]>;
}

export function initialStructuredState(model: tf.LayersModel): StructuredState {
  const kernels = allKernels(model);
  return {
    unitOrigins: new Map(kernels.map((k) => [k.layerName, range(k.shape[k.shape.length - 1]!)])),
    denseShapes: new Map(kernels.map((k) => [k.layerName, k.shape])),
  };
}

export interface StructuredStepInput {
  model: tf.LayersModel;
  state: StructuredState;
  criterion: Criterion;
  /** the sparsity is the fraction of the dense model's units removed (per layer, or over all layers) */
  rules: SelectionRules;
  pruneFirstLayer: boolean;
  batches: readonly CalibrationBatch[];
  seed: number;
  step: number;
  atStep: number;
  dense: { parameters: number; flops: number };
  /** measure inference time before and after (skipped in tests that do not need it) */
  measureLatency?: boolean;
}

/**
 * One structured prune: rank whole filters/units, remove the weakest physically and return the smaller
 * model (the input model is not changed; the caller disposes it). The logits layer keeps all its units.
 */
export async function pruneStructuredStep(
  input: StructuredStepInput,
): Promise<{ model: tf.LayersModel; state: StructuredState; report: PruneStepReport }> {
  const { model, state, criterion, rules, batches, seed } = input;
  const kernels = findPrunableKernels(model, {
    pruneFirstLayer: input.pruneFirstLayer,
    pruneLastLayer: false,
  });
  // lamp ranks units by their L1 norms, so it starts from magnitude's per-weight |w|
  const weightCriterion = criterion === 'lamp' ? 'magnitude' : criterion;
  const weightScores =
    criterion === 'random' ? new Map() : computeSaliency(model, kernels, weightCriterion, batches, seed);
  const perUnit = unitScores(kernels, weightScores, criterion, seed);

  // rank in the dense model's unit space, units removed earlier counting as already pruned
  const layers = kernels.map((k) => inDenseSpace(k, perUnit.get(k.key)!, state));
  const selections = selectWeights(layers, rules);
  const keepUnits = new Map<string, number[]>();
  const nextOrigins = new Map(state.unitOrigins);
  kernels.forEach((k, i) => {
    const keep = selections[i]!.keep;
    const origins = state.unitOrigins.get(k.layerName)!;
    keepUnits.set(
      k.layerName,
      origins.flatMap((origin, current) => (keep[origin] ? [current] : [])),
    );
    nextOrigins.set(
      k.layerName,
      origins.filter((origin) => keep[origin]),
    );
  });

  const smaller = await shrinkModel(model, keepUnits);
  const latency = input.measureLatency ? await compareLatency(model, smaller) : undefined;
  const next: StructuredState = { unitOrigins: nextOrigins, denseShapes: state.denseShapes };

  const reports = structuredLayerReports(next, (name) => {
    const i = kernels.findIndex((k) => k.layerName === name);
    return i < 0 ? null : { scores: layers[i]!.scores, threshold: selections[i]!.threshold };
  });
  const weights = reports.reduce((a, l) => a + l.weights, 0);
  const kept = reports.reduce((a, l) => a + l.kept, 0);
  const achievedSparsity = weights === 0 ? 0 : 1 - kept / weights;
  const total = layers.reduce((a, l) => a + l.scores.length, 0);
  const removed = selections.reduce((a, sel) => a + sel.keep.length - countKept(sel.keep), 0);
  const units = { total, removed, sparsity: total === 0 ? 0 : removed / total };
  const report: PruneStepReport = {
    step: input.step,
    atStep: input.atStep,
    targetSparsity: rules.target.kind === 'sparsity' ? rules.target.value : units.sparsity,
    achievedSparsity,
    units,
    layers: reports,
    totals: modelTotals(smaller, reports, input.dense, latency),
  };
  return { model: smaller, state: next, report };
}

function inDenseSpace(kernel: PrunableKernel, scores: Float32Array, state: StructuredState) {
  const shape = state.denseShapes.get(kernel.layerName)!;
  const units = shape[shape.length - 1]!;
  const dense = new Float32Array(units);
  const alreadyPruned = new Uint8Array(units).fill(1);
  state.unitOrigins.get(kernel.layerName)!.forEach((origin, current) => {
    dense[origin] = scores[current]!;
    alreadyPruned[origin] = 0;
  });
  return { key: kernel.key, scores: dense, alreadyPruned };
}

/**
 * Per Conv2D/Dense layer, its weights as in the dense model and which survive: a weight survives when
 * both its output unit and its input channel (the previous layer's unit; through a flatten, the feature's
 * channel) are still there. Reported for every layer, since the one after a pruned layer loses inputs.
 */
export function structuredLayerReports(
  state: StructuredState,
  scoring: (layerName: string) => { scores: Float32Array; threshold: number } | null,
): LayerPruneReport[] {
  const names = [...state.denseShapes.keys()];
  return names.map((name, index) => {
    const shape = state.denseShapes.get(name)!;
    const units = shape[shape.length - 1]!;
    const inputs = shape[shape.length - 2]!;
    const spatial = shape.length === 4 ? shape[0]! * shape[1]! : 1;
    const unitKept = flags(units, state.unitOrigins.get(name)!);
    const producer = index > 0 ? names[index - 1]! : null;
    let inputKept = new Uint8Array(inputs).fill(1);
    if (producer) {
      const producerShape = state.denseShapes.get(producer)!;
      const producerUnits = producerShape[producerShape.length - 1]!;
      const producerKept = flags(producerUnits, state.unitOrigins.get(producer)!);
      // a flatten orders features (row, col, channel), so feature f carries channel f mod channels
      inputKept = inputKept.map((_, f) => producerKept[f % producerUnits]!);
    }
    const keep = new Uint8Array(spatial * inputs * units);
    for (let p = 0; p < spatial; p++)
      for (let c = 0; c < inputs; c++)
        for (let o = 0; o < units; o++) keep[(p * inputs + c) * units + o] = inputKept[c]! & unitKept[o]!;
    const scored = scoring(name);
    return layerReport(
      { layerName: name, shape, size: keep.length },
      keep,
      scored?.scores ?? new Float32Array(0),
      scored?.threshold ?? 0,
    );
  });
}

function countKept(keep: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < keep.length; i++) n += keep[i]!;
  return n;
}

function flags(n: number, kept: readonly number[]): Uint8Array {
  const f = new Uint8Array(n);
  for (const k of kept) f[k] = 1;
  return f;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
