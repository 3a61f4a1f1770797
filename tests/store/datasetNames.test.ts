// Unique dataset names: a clash says how the newcomer differs before it falls back to a number, and a
// rename reaches exactly the " · " part of a run name that is the dataset's name.
import { describe, expect, it } from 'vitest';
import {
  MAX_DATASET_NAME,
  renameInLabel,
  uniqueDatasetName,
  type DatasetNameFacts,
} from '../../src/main/store/datasetNames';

const sample: DatasetNameFacts = { imported: 3000, inputShape: [28, 28, 1] };
const full: DatasetNameFacts = { imported: 70_000, inputShape: [28, 28, 1] };

function holders(entries: Record<string, DatasetNameFacts>) {
  return (name: string) => entries[name.toLowerCase()] ?? null;
}

describe('uniqueDatasetName', () => {
  it('keeps a free name as it is', () => {
    expect(uniqueDatasetName('fashion-mnist', full, holders({}))).toBe('fashion-mnist');
  });

  it('says the image count when that is what differs', () => {
    expect(uniqueDatasetName('fashion-mnist', full, holders({ 'fashion-mnist': sample }))).toBe(
      'fashion-mnist (70,000 images)',
    );
  });

  it('says the shape when the counts agree', () => {
    const rgb: DatasetNameFacts = { imported: 3000, inputShape: [32, 32, 3] };
    expect(uniqueDatasetName('cats', rgb, holders({ cats: sample }))).toBe('cats (32×32×3)');
  });

  it('counts up when nothing tells them apart, or the descriptive name is taken too', () => {
    expect(uniqueDatasetName('cats', sample, holders({ cats: sample }))).toBe('cats (2)');
    expect(
      uniqueDatasetName(
        'cats',
        full,
        holders({ cats: sample, 'cats (70,000 images)': full, 'cats (2)': sample }),
      ),
    ).toBe('cats (3)');
  });

  it('compares case-insensitively through the holder and stays within the length limit', () => {
    expect(uniqueDatasetName('Cats', sample, holders({ cats: sample }))).toBe('Cats (2)');
    const long = 'x'.repeat(MAX_DATASET_NAME + 20);
    const taken = holders({ [long.slice(0, MAX_DATASET_NAME)]: sample });
    const name = uniqueDatasetName(long, sample, taken);
    expect(name.length).toBeLessThanOrEqual(MAX_DATASET_NAME);
    expect(name.endsWith(' (2)')).toBe(true);
  });
});

describe('renameInLabel', () => {
  it('swaps the part that is the old name, wherever it sits', () => {
    expect(renameInLabel('taylor 80% · cats · dense', 'cats', 'kittens')).toBe(
      'taylor 80% · kittens · dense',
    );
    expect(renameInLabel('cats', 'cats', 'kittens')).toBe('kittens');
  });

  it('leaves names that merely contain the old name', () => {
    expect(renameInLabel('my cats run', 'cats', 'kittens')).toBe('my cats run');
    expect(renameInLabel('lenet5 · cats (2)', 'cats', 'kittens')).toBe('lenet5 · cats (2)');
  });
});
