// Sample DTOs for store tests: complete, with every optional part filled, so a round trip that drops a
// field fails.
import type {
  DatasetDetail,
  EvaluationReport,
  PruneStepReport,
  RunConfig,
  SensitivityCurve,
} from '../../src/shared/dto';
import { openStore, sequentialIds, type Store } from '../../src/main/store';

/** A clock that advances one second per reading, from a fixed start. */
export function steppingClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)): () => Date {
  let t = start;
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

/** The owner identity memoryStore() writes into the runs it queues or runs. */
export const fixtureOwner = { pid: 4242, started: 'fixture-start' };

export function memoryStore(): Store {
  return openStore(':memory:', {
    clock: steppingClock(),
    newId: sequentialIds('t'),
    pid: fixtureOwner.pid,
    processStarted: fixtureOwner.started,
  });
}

export function sampleDataset(id = 'ds-1', name = 'Shapes'): DatasetDetail {
  return {
    id,
    name,
    sourcePath: `/data/${name}`,
    origin: 'path',
    kind: 'folder',
    contentHash: `hash-of-${id}`,
    runCount: 0,
    createdAt: '2026-01-01T10:00:00.000Z',
    classes: [
      { name: 'circle', count: 60, train: 48, validation: 6, test: 6 },
      { name: 'square', count: 40, train: 32, validation: 4, test: 4 },
    ],
    imported: 100,
    skipped: 2,
    inputShape: [28, 28, 1],
    resizeMode: 'pad',
    channelMix: { gray: 90, rgb: 10 },
    sizeStats: {
      minWidth: 20,
      maxWidth: 64,
      minHeight: 18,
      maxHeight: 64,
      meanWidth: 31.5,
      meanHeight: 30.25,
    },
    split: { train: 80, validation: 10, test: 10, seed: 7, fromFolders: false, given: [] },
    warnings: ['2 files skipped'],
    problems: [
      { path: 'circle/bad.png', reason: 'corrupt', detail: 'truncated IDAT' },
      { path: 'square/dup.png', reason: 'duplicate' },
    ],
  };
}

export function trainConfig(datasetId = 'ds-1', seed = 42): RunConfig {
  return {
    datasetId,
    train: {
      preset: 'lenet5',
      epochs: 3,
      batchSize: 16,
      learningRate: 0.001,
      optimizer: 'adam',
      momentum: 0.9,
      augment: { flip: true, shiftPixels: 2 },
      earlyStoppingPatience: 0,
      seed,
    },
  };
}

export function pruneConfig(
  datasetId = 'ds-1',
  parentRunId = 'parent',
  criterion: 'taylor' | 'gradient' | 'magnitude' | 'random' = 'taylor',
): RunConfig {
  return {
    ...trainConfig(datasetId),
    parentRunId,
    prune: {
      criterion,
      target: { kind: 'sparsity', value: 0.8 },
      scope: 'global',
      minKeptFraction: 0.05,
      schedule: { kind: 'iterative', rounds: 2 },
      granularity: 'unstructured',
      finetuneEpochs: 2,
      finetuneLrSchedule: 'constant',
      scoring: 'calibration',
      calibrationBatches: 4,
      pruneFirstLayer: false,
      pruneLastLayer: true,
    },
  };
}

export function sampleEvaluation(accuracy = 0.875): EvaluationReport {
  return {
    loss: 0.4125,
    accuracy,
    macroF1: 0.86,
    balancedAccuracy: 0.855,
    perClass: [
      { name: 'circle', precision: 0.9, recall: 0.85, f1: 0.874, support: 6 },
      { name: 'square', precision: 0.8, recall: 0.86, f1: 0.83, support: 4 },
    ],
    confusion: [
      [5, 1],
      [0, 4],
    ],
    mostConfidentlyWrong: [{ index: 3, label: 0, predicted: 1, confidence: 0.97 }],
    // per image, in split order; agrees with the confusion matrix
    predictions: [0, 0, 0, 1, 0, 0, 1, 1, 1, 1],
    labels: [0, 0, 0, 0, 0, 0, 1, 1, 1, 1],
    split: 'test',
  };
}

export function samplePruneStep(step = 1, achieved = 0.5): PruneStepReport {
  // 3×5 mask = 15 bits → 2 bytes; bits chosen so both bytes are neither 0x00 nor 0xff.
  const bits = Buffer.from([0b10110010, 0b01100000]).toString('base64');
  return {
    step,
    atStep: step * 100,
    atEpoch: (step - 1) * 2,
    afterPrune: { split: 'test', images: 300, accuracy: 0.357 + step / 100, loss: 2.25 },
    targetSparsity: achieved + 0.01,
    achievedSparsity: achieved,
    layers: [
      {
        name: 'conv2d_1',
        weights: 15,
        kept: 7,
        sparsity: 8 / 15,
        threshold: 0.0125,
        histogram: { min: 0, max: 0.5, counts: Array.from({ length: 32 }, (_, i) => i % 5) },
        mask: { rows: 3, cols: 5, bitsBase64: bits, kernel: [1, 5] },
      },
      {
        name: 'dense_1',
        weights: 8,
        kept: 4,
        sparsity: 0.5,
        threshold: 0.25,
        histogram: { min: -1, max: 1, counts: Array.from({ length: 32 }, (_, i) => 31 - i) },
        mask: { rows: 2, cols: 4, bitsBase64: Buffer.from([0b11000011]).toString('base64') },
      },
    ],
    totals: {
      parameters: 1000,
      nonzeroParameters: 600,
      prunableWeights: 23,
      keptPrunableWeights: 11,
      denseFlops: 5000,
      effectiveFlops: 2500,
      compressionRatio: 1.67,
      latency: { runs: 21, byBatch: [{ batchSize: 1, beforeMs: 1.5, afterMs: 1.1 }] },
    },
  };
}

export function sampleCurve(layer: string): SensitivityCurve {
  return { layer, sparsities: [0, 0.5, 0.9], accuracies: [0.9, 0.85, 0.4], losses: [0.3, 0.4, 1.6] };
}
