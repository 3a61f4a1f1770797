import * as tf from '@tensorflow/tfjs';
import type { EvaluationReport } from '../../../shared/dto';
import type { ImageSet } from '../types';
import { batchRanges, makeBatch } from './batches';
import { computeEvaluationReport, type Predictions } from './metrics';

type EvaluationSplit = NonNullable<EvaluationReport['split']>;

export interface PredictOptions {
  batchSize?: number;
  signal?: AbortSignal;
  /** called after each batch with images done so far */
  onProgress?: (done: number, total: number) => void;
}

/** Runs the model (inference mode) over a whole set, one batch of tensors at a time. */
export async function predictSet(
  model: tf.LayersModel,
  set: ImageSet,
  classes: number,
  { batchSize = 256, signal, onProgress }: PredictOptions = {},
): Promise<Predictions> {
  const predicted = new Int32Array(set.count);
  const confidence = new Float32Array(set.count);
  let lossSum = 0;
  const order = Uint32Array.from({ length: set.count }, (_, i) => i);
  for (const [start, end] of batchRanges(set.count, batchSize)) {
    throwIfAborted(signal);
    const [lossT, predT, confT] = tf.tidy(() => {
      const { x, y } = makeBatch(set, order.subarray(start, end), classes);
      // one pass over the whole batch: predict would otherwise run it 32 images at a time
      const logits = model.predict(x, { batchSize: end - start }) as tf.Tensor2D;
      const logProbs = tf.logSoftmax(logits);
      return [
        tf.neg(tf.sum(tf.mul(y, logProbs))),
        tf.argMax(logits, 1),
        tf.exp(tf.max(logProbs, 1)),
      ] as const;
    });
    const [loss, preds, confs] = await Promise.all([lossT.data(), predT.data(), confT.data()]);
    lossT.dispose();
    predT.dispose();
    confT.dispose();
    lossSum += loss[0]!;
    predicted.set(preds, start);
    confidence.set(confs, start);
    onProgress?.(end, set.count);
  }
  return { labels: set.labels, predicted, confidence, lossSum };
}

export interface EvaluateOptions extends PredictOptions {
  wrongCount?: number;
  /** the split `set` is, recorded in the report because its image indices point into it (default 'test') */
  split?: EvaluationSplit;
}

/**
 * Loss, accuracy, per-class metrics, confusion matrix, most confidently wrong images and (for sets up to
 * MAX_RECORDED_PREDICTIONS) every image's predicted and true class, of a set.
 */
export async function evaluateModel(
  model: tf.LayersModel,
  set: ImageSet,
  classNames: readonly string[],
  { wrongCount, split = 'test', ...options }: EvaluateOptions = {},
): Promise<EvaluationReport> {
  const predictions = await predictSet(model, set, classNames.length, options);
  return { ...computeEvaluationReport(predictions, classNames, wrongCount), split };
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const error = new Error('Cancelled');
    error.name = 'AbortError';
    throw error;
  }
}
