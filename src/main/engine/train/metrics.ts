import type { EvaluationReport, PerClassMetrics, WrongPrediction } from '../../../shared/dto';

export interface Predictions {
  /** true class of each image */
  labels: ArrayLike<number>;
  /** predicted class (arg-max of the logits) of each image */
  predicted: ArrayLike<number>;
  /** softmax probability of the predicted class */
  confidence: ArrayLike<number>;
  /** sum over images of the softmax cross-entropy */
  lossSum: number;
}

/**
 * Up to this many images, a report carries every image's predicted and true class (≈ 4–6 bytes of JSON per
 * image, so ≤ ~600 kB); beyond it they are left out and the UI lists only the most confidently wrong.
 */
export const MAX_RECORDED_PREDICTIONS = 100_000;

/**
 * The whole evaluation report from predictions, as plain arithmetic. Averages follow scikit-learn:
 * macro-F1 over classes that occur in the labels or the predictions, balanced accuracy = mean recall
 * over classes that occur in the labels; a ratio with a zero denominator counts as 0.
 */
export function computeEvaluationReport(
  p: Predictions,
  classNames: readonly string[],
  wrongCount = 16,
): EvaluationReport {
  const n = p.labels.length;
  if (n === 0) throw new Error('Cannot evaluate on an empty set of images.');
  if (p.predicted.length !== n || p.confidence.length !== n) {
    throw new Error('Predictions, confidences and labels must have one entry per image.');
  }
  const k = classNames.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  const wrong: WrongPrediction[] = [];
  for (let i = 0; i < n; i++) {
    const label = p.labels[i]!;
    const predicted = p.predicted[i]!;
    if (label >= k || predicted >= k)
      throw new Error(`Image ${i} has a class outside the ${k} known classes.`);
    confusion[label]![predicted]! += 1;
    if (label === predicted) correct += 1;
    else wrong.push({ index: i, label, predicted, confidence: p.confidence[i]! });
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const perClass: PerClassMetrics[] = classNames.map((name, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = ratio(tp, predictedCount);
    const recall = ratio(tp, support);
    return { name, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const occurring = perClass.filter((m, c) => m.support > 0 || confusion.some((row) => row[c]! > 0));
  const supported = perClass.filter((m) => m.support > 0);
  wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  return {
    loss: p.lossSum / n,
    accuracy: correct / n,
    macroF1: ratio(
      occurring.reduce((a, m) => a + m.f1, 0),
      occurring.length,
    ),
    balancedAccuracy: ratio(
      supported.reduce((a, m) => a + m.recall, 0),
      supported.length,
    ),
    perClass,
    confusion,
    mostConfidentlyWrong: wrong.slice(0, wrongCount),
    ...(n <= MAX_RECORDED_PREDICTIONS
      ? { predictions: Array.from(p.predicted), labels: Array.from(p.labels) }
      : {}),
  };
}
