import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/main/engine/train/rng';
import { keepAllButLowest, selectWeights } from '../../../src/main/engine/prune/selection';

function scores(n: number, seed: number, levels = 0): Float32Array {
  const rng = createRng(seed);
  // `levels` > 0 makes many exact ties, the case a threshold comparison would get wrong
  return Float32Array.from({ length: n }, () => (levels > 0 ? rng.nextInt(levels) / levels : rng.next()));
}

const pruned = (keep: Uint8Array) => keep.reduce((a, k) => a + (k ? 0 : 1), 0);

describe('weight selection', () => {
  it('meets a layer-scope sparsity exactly, ties included', () => {
    const layers = [
      { key: 'a', scores: scores(1000, 1, 7) },
      { key: 'b', scores: scores(333, 2, 3) },
      { key: 'c', scores: new Float32Array(50) },
    ];
    for (const s of [0.5, 0.8, 0.9, 0.95, 0.99]) {
      const result = selectWeights(layers, {
        target: { kind: 'sparsity', value: s },
        scope: 'layer',
        minKeptFraction: 0.01,
      });
      result.forEach((r, i) => {
        const n = layers[i]!.scores.length;
        expect(Math.abs(pruned(r.keep) - s * n)).toBeLessThanOrEqual(1);
        expect(r.pruned).toBe(pruned(r.keep));
      });
    }
  });

  it('prunes the lowest scores: every pruned score ≤ every kept score', () => {
    const s = scores(500, 3, 11);
    const keep = keepAllButLowest(s, 321);
    let maxPruned = -Infinity;
    let minKept = Infinity;
    s.forEach((v, i) => (keep[i] ? (minKept = Math.min(minKept, v)) : (maxPruned = Math.max(maxPruned, v))));
    expect(pruned(keep)).toBe(321);
    expect(maxPruned).toBeLessThanOrEqual(minKept);
  });

  it('global scope ranks across layers, meets the total exactly and keeps the per-layer floor', () => {
    // layer "small" has tiny scores: one ranking would take all of it, the floor must stop that
    const big = Float32Array.from(scores(2000, 4), (v) => v + 1);
    const small = Float32Array.from(scores(200, 5), (v) => v * 0.01);
    const layers = [
      { key: 'big', scores: big },
      { key: 'small', scores: small },
    ];
    const result = selectWeights(layers, {
      target: { kind: 'sparsity', value: 0.5 },
      scope: 'global',
      minKeptFraction: 0.05,
    });
    const [b, s] = result;
    expect(pruned(b!.keep) + pruned(s!.keep)).toBe(1100);
    expect(200 - pruned(s!.keep)).toBe(10); // floor: ceil(5% of 200)
    expect(pruned(b!.keep)).toBe(910);
    // without the floor binding, global ranking is one threshold across layers
    const loose = selectWeights(layers, {
      target: { kind: 'sparsity', value: 0.05 },
      scope: 'global',
      minKeptFraction: 0.01,
    });
    expect(pruned(loose[1]!.keep)).toBe(110);
    expect(pruned(loose[0]!.keep)).toBe(0);
  });

  it('threshold θ prunes scores below θ, but never past the floor', () => {
    const s = Float32Array.from({ length: 100 }, (_, i) => i / 100);
    const [r] = selectWeights([{ key: 'x', scores: s }], {
      target: { kind: 'threshold', value: 0.3 },
      scope: 'layer',
      minKeptFraction: 0.01,
    });
    expect(pruned(r!.keep)).toBe(30);
    expect(r!.threshold).toBe(0.3);
    const [all] = selectWeights([{ key: 'x', scores: s }], {
      target: { kind: 'threshold', value: 5 },
      scope: 'layer',
      minKeptFraction: 0.1,
    });
    expect(pruned(all!.keep)).toBe(90);
  });

  it('keeps earlier pruning: a pruned weight stays pruned whatever its new score', () => {
    const s = Float32Array.from({ length: 10 }, (_, i) => i);
    const alreadyPruned = new Uint8Array(10);
    alreadyPruned[9] = 1; // the best-scoring weight was pruned before
    const [r] = selectWeights([{ key: 'x', scores: s, alreadyPruned }], {
      target: { kind: 'sparsity', value: 0.3 },
      scope: 'layer',
      minKeptFraction: 0,
    });
    expect([...r!.keep]).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('refuses NaN scores with a clear message', () => {
    expect(() =>
      selectWeights([{ key: 'k', scores: Float32Array.from([1, NaN]) }], {
        target: { kind: 'sparsity', value: 0.5 },
        scope: 'layer',
        minKeptFraction: 0,
      }),
    ).toThrow(/NaN/);
  });
});
