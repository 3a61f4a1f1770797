import * as tf from '@tensorflow/tfjs';
import type { LatencyComparison } from '../../../shared/dto';

export interface LatencyOptions {
  /** batch sizes to time; each gets its own figures */
  batchSizes?: readonly number[];
  /** untimed calls of each model first: kernel set-up, allocation and caches are not what we compare */
  warmup?: number;
  /** timed calls of each model per batch size; the median is reported */
  runs?: number;
  now?: () => number;
}

/**
 * Inference time of the model before and after a prune step, measured the same way for both: the same
 * warm-up, the same number of timed calls, interleaved (before, after, before, after …) so a machine
 * that speeds up or slows down mid-measurement affects both alike; the median per batch size, in
 * milliseconds per batch.
 */
export async function compareLatency(
  before: tf.LayersModel,
  after: tf.LayersModel,
  options: LatencyOptions = {},
): Promise<LatencyComparison> {
  const batchSizes = options.batchSizes ?? [1, 64];
  const warmup = options.warmup ?? 5;
  const runs = options.runs ?? 21;
  const now = options.now ?? (() => performance.now());
  const result: LatencyComparison = { runs, byBatch: [] };
  for (const batchSize of batchSizes) {
    const x = inputOf(before, batchSize);
    try {
      const call = async (model: tf.LayersModel) => {
        const y = model.predict(x) as tf.Tensor;
        await y.data();
        y.dispose();
      };
      for (let i = 0; i < warmup; i++) {
        await call(before);
        await call(after);
      }
      const times = { before: [] as number[], after: [] as number[] };
      for (let r = 0; r < runs; r++) {
        for (const which of r % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)) {
          const start = now();
          await call(which === 'before' ? before : after);
          times[which].push(now() - start);
        }
      }
      result.byBatch.push({ batchSize, beforeMs: median(times.before), afterMs: median(times.after) });
    } finally {
      x.dispose();
    }
  }
  return result;
}

function inputOf(model: tf.LayersModel, batchSize: number): tf.Tensor {
  const shape = model.inputs[0]!.shape.slice(1).map((d) => d ?? 1);
  return tf.zeros([batchSize, ...shape]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
