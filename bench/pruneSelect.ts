// How PruneLab's pruning defaults were chosen: on a VALIDATION split, never the test split.
// Fashion-MNIST's training images are split once (seeded) into a validation split (--validation, default
// 5,000) and training images; the dense keras-cifar-cnn trains on the latter (Adam 1e-3, batch 64, the
// bench protocol), then every variant prunes a copy of it and fine-tunes --finetune-epochs epochs over
// the same training images, and is scored on the validation split.
//   npx tsx bench/pruneSelect.ts --variants magnitude@oneshot~cosine,fisher/accumulated@gradual:0.5x20
//     [--train-images 55000] [--validation 5000] [--dense-epochs 5] [--finetune-epochs 2] [--seed 1]
//     [--sparsities 0.9,0.95,0.98] [--results /tmp/select.jsonl] [--cache bench/out/select]
// A variant is criterion[/scoring]@schedule[~lrSchedule][#l2|#mean|#none][!keep-first][!keep-last][!structured][%floor][^S] (bench/variant.ts;
// a variant without ~lr or ^S gets the default a run that names none gets, for its schedule).
// One line per cell on stdout; each cell is also appended as a JSON line to --results.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PruneConfig } from '../src/shared/dto';
import { initBackend } from '../src/main/engine/backend';
import { createPreset } from '../src/main/engine/models';
import { disposeMasks } from '../src/main/engine/prune/masks';
import { runPruneSession } from '../src/main/engine/prune/pruneSession';
import { measureOn } from '../src/main/engine/prune/sensitivity';
import { loadModelState, saveModelState } from '../src/main/engine/train/modelState';
import { trainModel } from '../src/main/engine/train/trainLoop';
import { loadIdxSplit } from './idxSplit';
import { splitOff } from './splitOff';
import { parseVariant, variantLrSchedule, variantRateScale } from './variant';
import { benchTrainConfig } from './pruneCell';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const settings = {
  trainImages: Number(option('train-images') ?? 55_000),
  validation: Number(option('validation') ?? 5_000),
  denseEpochs: Number(option('dense-epochs') ?? 5),
  finetuneEpochs: Number(option('finetune-epochs') ?? 2),
  seed: Number(option('seed') ?? 1),
  sparsities: (option('sparsities') ?? '0.9,0.95,0.98').split(',').map(Number),
  variants: (option('variants') ?? 'magnitude@oneshot').split(','),
  results: option('results') ?? join('bench', 'out', 'select', 'results.jsonl'),
  cache: option('cache') ?? join('bench', 'out', 'select'),
  data: option('data') ?? '/usr/share/datasets/fashion-mnist',
};

async function denseModel(train: Awaited<ReturnType<typeof loadIdxSplit>>): Promise<tf.LayersModel> {
  const dir = join(
    settings.cache,
    `dense-${settings.trainImages}-${settings.denseEpochs}-seed${settings.seed}`,
  );
  if (existsSync(dir)) return (await loadModelState(dir)).model;
  const model = createPreset('keras-cifar-cnn', {
    inputShape: [28, 28, 1],
    classes: 10,
    seed: settings.seed,
  });
  await trainModel({
    model,
    train,
    classes: 10,
    config: benchTrainConfig(settings.seed, settings.denseEpochs),
    onEpoch: (e) => console.error(`dense epoch ${e.epoch}: train acc ${e.trainAccuracy.toFixed(4)}`),
  });
  await saveModelState(dir, {
    model,
    masks: null,
    meta: {
      preset: 'keras-cifar-cnn',
      inputShape: [28, 28, 1],
      classes: Array.from({ length: 10 }, (_, i) => String(i)),
      runId: `select-seed${settings.seed}`,
      output: 'logits',
    },
  });
  return model;
}

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  console.error(`pruneSelect on ${backend.name} (${backend.reason}) ${JSON.stringify(settings)}`);
  await mkdir(settings.cache, { recursive: true });
  const full = await loadIdxSplit(settings.data, 'train');
  const { validation, rest } = splitOff(full, settings.validation, 0x5eb5e7);
  const train = splitOff(rest, rest.count - settings.trainImages, settings.seed).rest;
  const model = await denseModel(train);
  const dense = (await measureOn(model, validation, 10)).accuracy;
  console.log(`seed ${settings.seed} dense validation ${(dense * 100).toFixed(2)}`);
  const weights = model.getWeights().map((w) => w.clone());
  const totalSteps = settings.finetuneEpochs * Math.ceil(train.count / 64);
  for (const text of settings.variants) {
    const variant = parseVariant(text, totalSteps);
    for (const sparsity of settings.sparsities) {
      const started = performance.now();
      model.setWeights(weights);
      const prune: PruneConfig = {
        criterion: variant.criterion,
        scoring: variant.scoring,
        target: { kind: 'sparsity', value: sparsity },
        scope: 'global',
        minKeptFraction: variant.minKeptFraction,
        schedule: variant.schedule,
        granularity: variant.granularity,
        finetuneEpochs: settings.finetuneEpochs,
        finetuneLrSchedule: variantLrSchedule(variant),
        finetuneLrScale: variantRateScale(variant),
        calibrationBatches: 64,
        pruneFirstLayer: variant.pruneFirstLayer,
        pruneLastLayer: variant.pruneLastLayer,
      };
      const session = await runPruneSession({
        model,
        train,
        validation: null,
        test: validation,
        classNames: Array.from({ length: 10 }, (_, i) => String(i)),
        prune,
        finetune: benchTrainConfig(settings.seed, settings.finetuneEpochs),
        measureLatency: false,
        normalization: variant.normalization,
      });
      // structured pruning hands back a smaller model of its own
      const accuracy = (await measureOn(session.model, validation, 10)).accuracy;
      if (session.model !== model) session.model.dispose();
      const cell = {
        seed: settings.seed,
        trainImages: train.count,
        finetuneEpochs: settings.finetuneEpochs,
        variant: variant.name,
        sparsity,
        dense,
        pruned: session.prunedEvaluation?.accuracy ?? null,
        accuracy,
        layers: session.finalReport!.layers.map((l) => [l.name, Number(l.sparsity.toFixed(4))]),
        seconds: (performance.now() - started) / 1000,
      };
      console.log(
        `${variant.name.padEnd(40)} ${(sparsity * 100).toFixed(0)}%: pruned ${((cell.pruned ?? 0) * 100).toFixed(2)} → val ${(accuracy * 100).toFixed(2)} (Δ ${((accuracy - dense) * 100).toFixed(2)} pp; ${cell.layers.map((l) => `${l[0]} ${((l[1] as number) * 100).toFixed(1)}`).join(', ')}; ${cell.seconds.toFixed(0)} s)`,
      );
      await appendFile(settings.results, `${JSON.stringify(cell)}\n`);
      disposeMasks(session.masks);
    }
  }
  tf.dispose(weights);
  model.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
