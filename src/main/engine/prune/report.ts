import * as tf from '@tensorflow/tfjs';
import type { LatencyComparison, LayerPruneReport, ModelTotals } from '../../../shared/dto';
import { flopsByLayer } from '../models/counts';
import { maskBitmap, scoreHistogram } from './bitmap';
import type { PrunableKernel } from './prunableKernels';

export function layerReport(
  kernel: Pick<PrunableKernel, 'layerName' | 'shape' | 'size'>,
  keep: Uint8Array,
  scores: Float32Array,
  threshold: number,
): LayerPruneReport {
  let kept = 0;
  for (let i = 0; i < keep.length; i++) kept += keep[i]!;
  return {
    name: kernel.layerName,
    weights: kernel.size,
    kept,
    sparsity: kernel.size === 0 ? 0 : 1 - kept / kernel.size,
    threshold,
    histogram: scoreHistogram(scores),
    mask: maskBitmap(keep, kernel.shape),
  };
}

/** Non-zero entries over every weight of the model (kernels, biases, batch-norm parameters and statistics). */
export function countNonzeroParameters(model: tf.LayersModel): number {
  let n = 0;
  for (const w of model.weights) {
    const t = tf.tidy(() => tf.sum(tf.notEqual(w.read(), 0).toInt()));
    n += t.dataSync()[0]!;
    t.dispose();
  }
  return n;
}

/**
 * Model-wide figures after a prune step. `dense` describes the model before any pruning (structured
 * pruning makes the current model smaller, so its own counts are not the baseline). Effective FLOPs scale
 * each multiply-accumulate layer by its kept fraction: a zero weight is a multiply nobody needs to do.
 */
export function modelTotals(
  model: tf.LayersModel,
  layers: readonly LayerPruneReport[],
  dense: { parameters: number; flops: number },
  latency?: LatencyComparison,
): ModelTotals {
  const nonzeroParameters = countNonzeroParameters(model);
  let effectiveFlops = 0;
  for (const [name, flops] of flopsByLayer(model)) {
    const report = layers.find((l) => l.name === name);
    // structured reports count weights of the original layer; the shrunk layer's own density applies
    effectiveFlops += report ? flops * densityOfCurrentLayer(model, name, report) : flops;
  }
  const prunableWeights = layers.reduce((a, l) => a + l.weights, 0);
  const keptPrunableWeights = layers.reduce((a, l) => a + l.kept, 0);
  const totals: ModelTotals = {
    parameters: model.countParams(),
    nonzeroParameters,
    prunableWeights,
    keptPrunableWeights,
    denseFlops: dense.flops,
    effectiveFlops,
    compressionRatio: nonzeroParameters === 0 ? Infinity : dense.parameters / nonzeroParameters,
  };
  if (latency) totals.latency = latency;
  return totals;
}

function densityOfCurrentLayer(model: tf.LayersModel, name: string, report: LayerPruneReport): number {
  const kernel = model.getLayer(name).weights.find((w) => w.originalName.endsWith('/kernel'));
  const size = kernel ? kernel.shape.reduce<number>((a, b) => a * (b ?? 1), 1) : report.weights;
  return size === 0 ? 0 : Math.min(1, report.kept / size);
}
