// Turns a source's given split (split folders, IDX/CIFAR train and test files) or its absence into a split
// for every image. Splits the source does not give are carved from its training images, stratified and
// seeded like a full split.
import { NO_SPLIT, type LoadedDataset } from './loadedDataset';
import {
  TEST,
  TRAIN,
  VALIDATION,
  splitNames,
  stratifiedSplit,
  type SplitFractions,
  type SplitName,
} from './split';

export interface SplitAssignment {
  splitOf: Uint8Array;
  fromFolders: boolean;
  /** The splits the source itself gave (the rest are carved from its training images). */
  given: SplitName[];
}

export function assignSplits(data: LoadedDataset, fractions: SplitFractions, seed: number): SplitAssignment {
  const given = data.givenSplit;
  if (!given)
    return {
      splitOf: stratifiedSplit(data.labels, data.classes.length, fractions, seed),
      fromFolders: false,
      given: [],
    };

  const splitOf = Uint8Array.from(given, (s) => (s === NO_SPLIT ? TRAIN : s));
  const has = (s: number): boolean => splitOf.includes(s);
  const fromSource = splitNames.filter((_, s) => has(s));
  const carveValidation = !has(VALIDATION);
  const carveTest = !has(TEST);
  if (carveValidation || carveTest) {
    const pool: number[] = [];
    splitOf.forEach((s, i) => s === TRAIN && pool.push(i));
    const validation = carveValidation ? fractions.validation : 0;
    const test = carveTest ? fractions.test : 0;
    const sum = fractions.train + validation + test;
    const sub = stratifiedSplit(
      pool.map((i) => data.labels[i] ?? 0),
      data.classes.length,
      { train: fractions.train / sum, validation: validation / sum, test: test / sum },
      seed,
    );
    pool.forEach((i, k) => (splitOf[i] = sub[k] ?? TRAIN));
  }
  return { splitOf, fromFolders: true, given: fromSource };
}
