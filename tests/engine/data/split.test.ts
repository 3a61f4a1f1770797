import { describe, expect, it } from 'vitest';
import { assignSplits } from '../../../src/main/engine/data/assignSplits';
import { NO_SPLIT, type LoadedDataset } from '../../../src/main/engine/data/loadedDataset';
import { MemoryPixels } from '../../../src/main/engine/data/pixelStore';
import { seededRandom, stratifiedSplit } from '../../../src/main/engine/data/split';

function labelsFor(classSizes: number[], random: () => number): Uint16Array {
  const labels = classSizes.flatMap((n, c) => new Array<number>(n).fill(c));
  // interleave classes in a random order, as files from a real folder walk would not be
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
  }
  return Uint16Array.from(labels);
}

function countTable(labels: ArrayLike<number>, splitOf: Uint8Array, classes: number): number[][] {
  const table = Array.from({ length: classes }, () => [0, 0, 0]);
  for (let i = 0; i < labels.length; i++) table[labels[i]!]![splitOf[i]!]!++;
  return table;
}

describe('stratifiedSplit', () => {
  const cases = [
    { sizes: [300, 300, 300], f: { train: 0.8, validation: 0.1, test: 0.1 } },
    { sizes: [7, 13, 101, 2, 1, 55], f: { train: 0.8, validation: 0.1, test: 0.1 } },
    { sizes: [1000, 37, 5], f: { train: 0.7, validation: 0.15, test: 0.15 } },
    { sizes: [33, 34, 35, 36], f: { train: 0.6, validation: 0.3, test: 0.1 } },
    { sizes: [9, 9], f: { train: 1, validation: 0, test: 0 } },
  ];

  it.each(cases)('keeps every class within one image of its share in every split: $sizes', ({ sizes, f }) => {
    const labels = labelsFor(sizes, seededRandom(7));
    const splitOf = stratifiedSplit(labels, sizes.length, f, 42);
    const table = countTable(labels, splitOf, sizes.length);
    const fractions = [f.train, f.validation, f.test];
    const total = labels.length;
    const splitTotals = [0, 1, 2].map((s) => table.reduce((n, row) => n + row[s]!, 0));
    table.forEach((row, c) => {
      expect(row.reduce((a, b) => a + b, 0)).toBe(sizes[c]);
      row.forEach((count, s) => {
        // against the class's own share of the split fraction …
        expect(Math.abs(count - sizes[c]! * fractions[s]!)).toBeLessThan(1);
        // … and against the class's proportion of the whole, scaled to the split's actual size
        expect(Math.abs(count - (splitTotals[s]! * sizes[c]!) / total)).toBeLessThanOrEqual(1);
      });
    });
    // split totals land within one image per split of the requested fractions
    splitTotals.forEach((n, s) => expect(Math.abs(n - total * fractions[s]!)).toBeLessThanOrEqual(1));
  });

  it('is deterministic for a seed and different for another seed', () => {
    const labels = labelsFor([50, 60, 70], seededRandom(1));
    const f = { train: 0.8, validation: 0.1, test: 0.1 };
    const a = stratifiedSplit(labels, 3, f, 42);
    expect(stratifiedSplit(labels, 3, f, 42)).toEqual(a);
    expect(stratifiedSplit(labels, 3, f, 43)).not.toEqual(a);
  });
});

describe('assignSplits', () => {
  function loaded(labels: Uint16Array, givenSplit: Uint8Array | null): LoadedDataset {
    return {
      kind: 'folder',
      classes: ['a', 'b'],
      inputShape: [1, 1, 1],
      resizeMode: 'crop',
      count: labels.length,
      labels,
      slots: new Uint32Array(labels.length),
      pixels: new MemoryPixels(new Uint8Array(labels.length), 1),
      givenSplit,
      problems: [],
      warnings: [],
      channelMix: {},
      sizeStats: { minWidth: 1, maxWidth: 1, minHeight: 1, maxHeight: 1, meanWidth: 1, meanHeight: 1 },
    };
  }
  const f = { train: 0.8, validation: 0.1, test: 0.1 };

  it('keeps given train/validation/test assignments untouched', () => {
    const labels = Uint16Array.from([0, 1, 0, 1, 0, 1]);
    const given = Uint8Array.from([0, 0, 1, 1, 2, 2]);
    expect(assignSplits(loaded(labels, given), f, 1)).toEqual({
      splitOf: given,
      fromFolders: true,
      given: ['train', 'validation', 'test'],
    });
  });

  it('carves a missing validation split out of the given training images only, and says which were given', () => {
    const labels = Uint16Array.from({ length: 100 }, (_, i) => i % 2);
    const given = Uint8Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 2));
    const { splitOf, given: fromSource } = assignSplits(loaded(labels, given), f, 1);
    expect(fromSource).toEqual(['train', 'test']); // the IDX / CIFAR case: an official test split
    for (let i = 80; i < 100; i++) expect(splitOf[i]).toBe(2); // the given test set is untouched
    const carved = [...splitOf.subarray(0, 80)].filter((s) => s === 1).length;
    expect(carved).toBe(9); // 80 · 0.1 / 0.9 ≈ 8.9 → 9, stratified over 40 + 40
    expect([...splitOf.subarray(0, 80)].every((s) => s === 0 || s === 1)).toBe(true);
  });

  it('treats images outside any split folder as training images', () => {
    const labels = Uint16Array.from([0, 1, 0, 1]);
    const given = Uint8Array.from([NO_SPLIT, NO_SPLIT, 1, 2]);
    expect([...assignSplits(loaded(labels, given), { train: 1, validation: 0, test: 0 }, 1).splitOf]).toEqual(
      [0, 0, 1, 2],
    );
  });
});
