import { describe, expect, it } from 'vitest';
import { computeEvaluationReport } from '../../../src/main/engine/train/metrics';

describe('computeEvaluationReport', () => {
  it('computes every metric of a hand-built case', () => {
    // classes: cat 0, dog 1, bird 2 (bird never occurs and is never predicted)
    const labels = [0, 0, 0, 0, 1, 1];
    const predicted = [0, 0, 1, 0, 1, 0];
    const confidence = [0.9, 0.8, 0.95, 0.7, 0.6, 0.55];
    const report = computeEvaluationReport({ labels, predicted, confidence, lossSum: 3 }, [
      'cat',
      'dog',
      'bird',
    ]);
    expect(report.loss).toBeCloseTo(0.5, 12);
    expect(report.accuracy).toBeCloseTo(4 / 6, 12);
    expect(report.confusion).toEqual([
      [3, 1, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
    const [cat, dog, bird] = report.perClass;
    // cat: tp 3, predicted 4, support 4
    expect(cat).toMatchObject({ name: 'cat', support: 4 });
    expect(cat!.precision).toBeCloseTo(0.75, 12);
    expect(cat!.recall).toBeCloseTo(0.75, 12);
    expect(cat!.f1).toBeCloseTo(0.75, 12);
    // dog: tp 1, predicted 2, support 2
    expect(dog!.precision).toBeCloseTo(0.5, 12);
    expect(dog!.recall).toBeCloseTo(0.5, 12);
    expect(dog!.f1).toBeCloseTo(0.5, 12);
    expect(bird).toEqual({ name: 'bird', precision: 0, recall: 0, f1: 0, support: 0 });
    // bird occurs nowhere, so it is left out of both averages
    expect(report.macroF1).toBeCloseTo(0.625, 12);
    expect(report.balancedAccuracy).toBeCloseTo(0.625, 12);
    // wrong ones, most confident first
    expect(report.mostConfidentlyWrong).toEqual([
      { index: 2, label: 0, predicted: 1, confidence: 0.95 },
      { index: 5, label: 1, predicted: 0, confidence: 0.55 },
    ]);
    expect(
      computeEvaluationReport({ labels, predicted, confidence, lossSum: 3 }, ['cat', 'dog', 'bird'], 1)
        .mostConfidentlyWrong,
    ).toHaveLength(1);
  });

  it('balanced accuracy differs from accuracy on imbalanced classes', () => {
    // always predicting the majority class: accuracy 0.8, balanced accuracy 0.5
    const report = computeEvaluationReport(
      { labels: [0, 0, 0, 0, 1], predicted: [0, 0, 0, 0, 0], confidence: [1, 1, 1, 1, 1], lossSum: 0 },
      ['a', 'b'],
    );
    expect(report.accuracy).toBeCloseTo(0.8, 12);
    expect(report.balancedAccuracy).toBeCloseTo(0.5, 12);
    // a: p 0.8, r 1 → f1 8/9; b: 0 → macro 4/9
    expect(report.macroF1).toBeCloseTo(4 / 9, 12);
  });

  it('refuses empty or inconsistent input', () => {
    expect(() =>
      computeEvaluationReport({ labels: [], predicted: [], confidence: [], lossSum: 0 }, ['a', 'b']),
    ).toThrow(/empty/);
    expect(() =>
      computeEvaluationReport({ labels: [0, 1], predicted: [0], confidence: [1, 1], lossSum: 0 }, ['a', 'b']),
    ).toThrow(/one entry per image/);
    expect(() =>
      computeEvaluationReport({ labels: [0, 5], predicted: [0, 1], confidence: [1, 1], lossSum: 0 }, [
        'a',
        'b',
      ]),
    ).toThrow(/outside the 2 known classes/);
  });
});
