// One cell of bench:prune: a copy of the seed's dense model, pruned by one variant to one sparsity and
// fine-tuned with the protocol's budget, scored on the test split.
import type * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../src/main/engine/types';
import type { PruneConfig } from '../src/shared/dto';
import { createPreset } from '../src/main/engine/models';
import { disposeMasks } from '../src/main/engine/prune/masks';
import { runPruneSession } from '../src/main/engine/prune/pruneSession';
import { measureOn } from '../src/main/engine/prune/sensitivity';
import type { TrainLoopConfig } from '../src/main/engine/train/trainTypes';
import { parseVariant, variantLrSchedule, variantRateScale } from './variant';

/** The protocol's optimiser: Adam 1e-3, batch 64, no augmentation, no early stopping. */
export const benchTrainConfig = (seed: number, epochs: number): TrainLoopConfig => ({
  epochs,
  batchSize: 64,
  learningRate: 0.001,
  optimizer: 'adam',
  momentum: 0.9,
  augment: { flip: false, shiftPixels: 0 },
  earlyStoppingPatience: 0,
  seed,
});

export interface Cell {
  seed: number;
  variant: string;
  criterion: string;
  scoring: string;
  schedule: string;
  sparsity: number;
  achieved: number;
  /** right after the last prune, before its fine-tuning, on a fixed 2,000-image subset of the test split */
  pruned: number;
  accuracy: number;
  layers: [string, number][];
  seconds: number;
}

export interface PruneCellInput {
  variant: string;
  sparsity: number;
  seed: number;
  denseWeights: tf.Tensor[];
  train: ImageSet;
  test: ImageSet;
  prunedCheck: ImageSet;
  finetuneEpochs: number;
}

export async function pruneCell(input: PruneCellInput): Promise<Cell> {
  const started = performance.now();
  const totalSteps = input.finetuneEpochs * Math.ceil(input.train.count / 64);
  const variant = parseVariant(input.variant, totalSteps);
  const model = createPreset('keras-cifar-cnn', { inputShape: [28, 28, 1], classes: 10, seed: input.seed });
  model.setWeights(input.denseWeights);
  const prune: PruneConfig = {
    criterion: variant.criterion,
    scoring: variant.scoring,
    target: { kind: 'sparsity', value: input.sparsity },
    scope: 'global',
    minKeptFraction: variant.minKeptFraction,
    schedule: variant.schedule,
    granularity: variant.granularity,
    finetuneEpochs: input.finetuneEpochs,
    finetuneLrSchedule: variantLrSchedule(variant),
    finetuneLrScale: variantRateScale(variant),
    calibrationBatches: 64,
    pruneFirstLayer: variant.pruneFirstLayer,
    pruneLastLayer: variant.pruneLastLayer,
  };
  const session = await runPruneSession({
    model,
    train: input.train,
    validation: null,
    test: input.prunedCheck,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    prune,
    finetune: benchTrainConfig(input.seed, input.finetuneEpochs),
    measureLatency: false,
    normalization: variant.normalization,
  });
  try {
    const accuracy = (await measureOn(session.model, input.test, 10)).accuracy;
    const report = session.finalReport!;
    return {
      seed: input.seed,
      variant: variant.name,
      criterion: variant.criterion,
      scoring: variant.scoring,
      schedule: variant.name.split('@')[1]!.split(/[~#!%]/)[0]!,
      sparsity: input.sparsity,
      achieved: report.achievedSparsity,
      pruned: session.prunedEvaluation?.accuracy ?? Number.NaN,
      accuracy,
      layers: report.layers.map((l) => [l.name, Number(l.sparsity.toFixed(4))]),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    disposeMasks(session.masks);
    if (session.model !== model) session.model.dispose();
    model.dispose();
  }
}
