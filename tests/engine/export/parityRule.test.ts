import { describe, expect, it } from 'vitest';
import { compareLogits, judge } from '../../../src/main/engine/export/parity';

// The pass/fail rule on hand-made logits: what counts as "predicts like the app".

const base = { runtime: 'tfjs' as const, images: 2 };

describe('compareLogits', () => {
  it('measures top-1 agreement and the largest absolute logit difference', () => {
    const expected = new Float32Array([1, 2, 3, 5, 4, 0]);
    const actual = new Float32Array([1, 2.00005, 3, 3.9, 4.1, 0]);
    const r = compareLogits(expected, actual, 3);
    expect(r.top1Agreement).toBe(0.5);
    expect(r.maxAbsLogitDelta).toBeCloseTo(1.1, 5);
    expect(r.decisiveDisagreements).toBe(1);
  });

  it('counts NaN as an infinite difference', () => {
    const r = compareLogits(new Float32Array([1, 2]), new Float32Array([NaN, 2]), 2);
    expect(r.maxAbsLogitDelta).toBe(Infinity);
  });

  it('tells a flip between classes the app itself nearly tied from a decisive one', () => {
    const expected = new Float32Array([0.5, 0.50005, 0]);
    const actual = new Float32Array([0.50003, 0.50002, 0]);
    const r = compareLogits(expected, actual, 3);
    expect(r.top1Agreement).toBe(0);
    expect(r.decisiveDisagreements).toBe(0);
  });
});

describe('judge', () => {
  it('float32 passes only within 1e-4 and with 100% top-1 agreement', () => {
    expect(judge({ ...base, top1Agreement: 1, maxAbsLogitDelta: 9e-5 }, 'float32', 0).ok).toBe(true);
    expect(judge({ ...base, top1Agreement: 1, maxAbsLogitDelta: 2e-4 }, 'float32', 0).ok).toBe(false);
    expect(judge({ ...base, top1Agreement: 0.5, maxAbsLogitDelta: 9e-5 }, 'float32', 1).ok).toBe(false);
    const nearTie = judge({ ...base, top1Agreement: 0.5, maxAbsLogitDelta: 9e-5 }, 'float32', 0);
    expect(nearTie.ok).toBe(false);
    expect(nearTie.message).toMatch(/near-ties/);
    expect(judge({ ...base, top1Agreement: 1, maxAbsLogitDelta: Infinity }, 'float32', 0).ok).toBe(false);
  });

  it('quantized encodings are judged on agreement and report it', () => {
    const good = judge({ ...base, top1Agreement: 0.97, maxAbsLogitDelta: 0.05 }, 'uint8', 3);
    expect(good.ok).toBe(true);
    expect(good.message).toMatch(/97\.00%/);
    expect(judge({ ...base, top1Agreement: 0.85, maxAbsLogitDelta: 0.05 }, 'float16', 0).ok).toBe(false);
    expect(judge({ ...base, top1Agreement: 1, maxAbsLogitDelta: Infinity }, 'uint8', 0).ok).toBe(false);
  });
});
