// Experiment (not the benchmark): how taylor's ranking depends on calibration batch sizing and on
// per-layer normalisation under global scope. Loads the dense model bench:prune saved with --reuse-dense,
// prunes oneshot WITHOUT fine-tuning and measures accuracy on a validation split (training images the
// dense model never saw) — never the test split.
//   npx tsx bench/pruneProbe.ts [--dense bench/out/prune/dense-10000-3-seed1]
import * as tf from '@tensorflow/tfjs';
import type { Criterion } from '../src/shared/dto';
import { initBackend } from '../src/main/engine/backend';
import { disposeCalibration, makeCalibrationBatches } from '../src/main/engine/prune/calibration';
import { disposeMasks } from '../src/main/engine/prune/masks';
import { runPruneSession } from '../src/main/engine/prune/pruneSession';
import { findPrunableKernels } from '../src/main/engine/prune/prunableKernels';
import { computeSaliency } from '../src/main/engine/prune/saliency';
import { selectWeights } from '../src/main/engine/prune/selection';
import { measureOn } from '../src/main/engine/prune/sensitivity';
import { imageSubset } from '../src/main/engine/prune/subset';
import { loadModelState } from '../src/main/engine/train/modelState';
import { createRng, shuffledIndices } from '../src/main/engine/train/rng';
import type { ImageSet } from '../src/main/engine/types';
import { loadIdxSplit } from './idxSplit';

const args = process.argv.slice(2);
const opt = (n: string) => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const densePath = opt('dense') ?? 'bench/out/prune/dense-10000-3-seed1';
const data = '/usr/share/datasets/fashion-mnist';
const sparsities = (opt('sparsities') ?? '0.5,0.9,0.95').split(',').map(Number);
const variants = (
  opt('variants') ??
  'magnitude:64x8:none,taylor:64x8:none,taylor:16x64:none,taylor:16x64:mean,taylor:16x64:l2,taylor:1x512:none'
).split(',');

/** the training images imageSubset(full, trainCount, seed) did NOT pick: a validation split */
function heldOut(full: ImageSet, trainCount: number, seed: number, count: number): ImageSet {
  const order = shuffledIndices(full.count, createRng(seed ^ 0x5eb5e7)).subarray(
    trainCount,
    trainCount + count,
  );
  const px = full.height * full.width;
  const images = new Uint8Array(count * px);
  const labels = new Uint16Array(count);
  order.forEach((from, to) => {
    images.set(full.images.subarray(from * px, (from + 1) * px), to * px);
    labels[to] = full.labels[from]!;
  });
  return { ...full, images, labels, count };
}

function normalise(scores: Float32Array, how: string): Float32Array {
  if (how === 'none') return scores;
  let s = 0;
  for (const v of scores) s += how === 'l2' ? v * v : v;
  const d = how === 'l2' ? Math.sqrt(s) : s / scores.length;
  return d > 0 ? scores.map((v) => v / d) : scores;
}

async function main() {
  await initBackend('wasm');
  const full = await loadIdxSplit(data, 'train');
  const train = imageSubset(full, 10_000, 1);
  const calibSource = imageSubset(train, 3_200, 1001);
  const validation = heldOut(full, 10_000, 1, 2_000);
  const { model } = await loadModelState(densePath);
  console.log('dense validation', (await measureOn(model, validation, 10)).accuracy);
  if (opt('finetune')) {
    await finetuneProbe(model, train, validation);
    model.dispose();
    return;
  }
  const kernels = findPrunableKernels(model, { pruneFirstLayer: true, pruneLastLayer: true });
  const original = model.getWeights().map((w) => w.clone());
  for (const v of variants) {
    const [criterion, sizing, norm, seedText] = v.split(':') as [Criterion, string, string, string?];
    const cseed = Number(seedText ?? 1);
    const [bs, n] = sizing.split('x').map(Number) as [number, number];
    const t0 = performance.now();
    const batches = makeCalibrationBatches(calibSource, 10, { batches: n, batchSize: bs, seed: cseed });
    const scores = computeSaliency(model, kernels, criterion, batches, 1);
    disposeCalibration(batches);
    const secs = (performance.now() - t0) / 1000;
    for (const s of sparsities) {
      const sel = selectWeights(
        kernels.map((k) => ({ key: k.key, scores: normalise(scores.get(k.key)!, norm) })),
        { target: { kind: 'sparsity', value: s }, scope: 'global', minKeptFraction: 0.01 },
      );
      tf.tidy(() => {
        kernels.forEach((k, i) => {
          const keep = tf.tensor(Float32Array.from(sel[i]!.keep), k.shape);
          k.variable.write(tf.mul(k.variable.read(), keep));
        });
      });
      const acc = (await measureOn(model, validation, 10)).accuracy;
      const per = sel
        .map((x, i) => `${kernels[i]!.layerName}=${((x.pruned / kernels[i]!.size) * 100).toFixed(1)}`)
        .join(' ');
      console.log(`${v.padEnd(22)} s=${s} val=${(acc * 100).toFixed(2)} [${per}] (${secs.toFixed(1)}s)`);
      model.setWeights(original);
    }
  }
  tf.dispose(original);
  model.dispose();
}
/**
 * --finetune 3200,10000 --criteria taylor,magnitude --schedules oneshot,iterative:3: the engine's prune
 * session end to end (calibration 64 × 16, global scope, 1% floor), validation accuracy after fine-tuning.
 */
async function finetuneProbe(model: tf.LayersModel, train: ImageSet, validation: ImageSet) {
  const dense = model.getWeights().map((w) => w.clone());
  const budgets = opt('finetune')!.split(',').map(Number);
  const criteria = (opt('criteria') ?? 'taylor,magnitude').split(',') as Criterion[];
  const schedules = (opt('schedules') ?? 'oneshot').split(',');
  const lr = Number(opt('lr') ?? 0.001);
  for (const images of budgets) {
    const set = imageSubset(train, images, 1001);
    for (const schedule of schedules) {
      const rounds = schedule.startsWith('iterative') ? Number(schedule.split(':')[1]) : 1;
      for (const s of sparsities) {
        for (const criterion of criteria) {
          const t0 = performance.now();
          model.setWeights(dense);
          const session = await runPruneSession({
            model,
            train: rounds > 1 ? imageSubset(set, Math.round(images / rounds), 7) : set,
            validation: null,
            test: validation,
            classNames: Array.from({ length: 10 }, (_, i) => String(i)),
            prune: {
              criterion,
              target: { kind: 'sparsity', value: s },
              scope: 'global',
              minKeptFraction: 0.01,
              schedule: rounds > 1 ? { kind: 'iterative', rounds } : { kind: 'oneshot' },
              granularity: 'unstructured',
              finetuneEpochs: 1,
              finetuneLrSchedule: 'constant',
              scoring: 'calibration',
              calibrationBatches: 64,
              pruneFirstLayer: true,
              pruneLastLayer: true,
            },
            finetune: {
              epochs: 1,
              batchSize: 64,
              learningRate: lr,
              optimizer: 'adam',
              momentum: 0.9,
              augment: { flip: false, shiftPixels: 0 },
              earlyStoppingPatience: 0,
              seed: 1,
            },
            measureLatency: false,
          });
          const acc = (await measureOn(model, validation, 10)).accuracy;
          console.log(
            `ft=${images} lr=${lr} ${schedule} ${criterion} s=${s}: pruned ${(session.prunedEvaluation!.accuracy * 100).toFixed(2)} → val ${(acc * 100).toFixed(2)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
          );
          disposeMasks(session.masks);
        }
      }
    }
  }
  tf.dispose(dense);
}

main();
