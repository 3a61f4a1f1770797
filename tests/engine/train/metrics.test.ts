import { describe, expect, it } from 'vitest';
import { computeEvaluationReport, MAX_RECORDED_PREDICTIONS } from '../../../src/main/engine/train/metrics';

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

  it("records every image's predicted and true class, so a confusion cell's images can be listed", () => {
    const labels = Int32Array.from([0, 0, 0, 0, 1, 1]);
    const predicted = Int32Array.from([0, 0, 1, 0, 1, 0]);
    const report = computeEvaluationReport(
      { labels, predicted, confidence: [0.9, 0.8, 0.95, 0.7, 0.6, 0.55], lossSum: 3 },
      ['cat', 'dog', 'bird'],
      0,
    );
    // plain arrays (typed arrays would JSON-encode as objects), in split order
    expect(report.predictions).toEqual([0, 0, 1, 0, 1, 0]);
    expect(report.labels).toEqual([0, 0, 0, 0, 1, 1]);
    expect(Array.isArray(report.predictions)).toBe(true);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    const cell = (t: number, p: number) =>
      report.labels!.flatMap((label, i) => (label === t && report.predictions![i] === p ? [i] : []));
    // every cell's images agree with its count, including the ones mostConfidentlyWrong (empty here) misses
    expect(report.mostConfidentlyWrong).toEqual([]);
    expect(cell(0, 0)).toEqual([0, 1, 3]);
    expect(cell(0, 1)).toEqual([2]);
    expect(cell(1, 0)).toEqual([5]);
    expect(cell(1, 1)).toEqual([4]);
    report.confusion.forEach((row, t) => row.forEach((count, p) => expect(cell(t, p)).toHaveLength(count)));
  });

  it('leaves the per-image classes out above MAX_RECORDED_PREDICTIONS images, and keeps them at it', () => {
    const at = MAX_RECORDED_PREDICTIONS;
    const report = (n: number) =>
      computeEvaluationReport(
        {
          labels: new Uint8Array(n),
          predicted: new Uint8Array(n),
          confidence: new Float32Array(n).fill(1),
          lossSum: 0,
        },
        ['a', 'b'],
      );
    const atCap = report(at);
    expect(atCap.predictions).toHaveLength(at);
    expect(atCap.labels).toHaveLength(at);
    const over = report(at + 1);
    expect(over).not.toHaveProperty('predictions');
    expect(over).not.toHaveProperty('labels');
    expect(over.confusion[0]![0]).toBe(at + 1);
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
