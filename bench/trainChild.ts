// One bench:train measurement in its own process (wasm's threads are fixed when it first starts):
// matMul peak, one timed epoch, forward-only throughput and, with --profile, a profiled fine-tune epoch.
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../src/shared/dto';
import { initBackend } from '../src/main/engine/backend';
import { createPreset } from '../src/main/engine/models';
import { trainingStepFlops } from '../src/main/engine/models/counts';
import { applyMasks, disposeMasks } from '../src/main/engine/prune/masks';
import { findPrunableKernels } from '../src/main/engine/prune/prunableKernels';
import { analyzeSensitivity } from '../src/main/engine/prune/sensitivity';
import { evaluateModel } from '../src/main/engine/train/evaluate';
import type { WeightMasks } from '../src/main/engine/train/modelState';
import { createRng } from '../src/main/engine/train/rng';
import { createStepProfiler } from '../src/main/engine/train/stepProfiler';
import { trainModel } from '../src/main/engine/train/trainLoop';
import type { TrainLoopConfig } from '../src/main/engine/train/trainTypes';
import type { ImageSet } from '../src/main/engine/types';
import { measureMatMulPeak } from './trainRoofline';
import { profileFigures } from './trainProfileTable';

export const benchConfig: TrainLoopConfig = {
  epochs: 1,
  batchSize: 64,
  learningRate: 0.001,
  optimizer: 'adam',
  momentum: 0.9,
  augment: { flip: false, shiftPixels: 0 },
  earlyStoppingPatience: 0,
  seed: 1,
};

export function subset(set: ImageSet, count: number): ImageSet {
  const pixels = set.height * set.width * set.channels;
  return {
    ...set,
    count,
    images: set.images.subarray(0, count * pixels),
    labels: set.labels.subarray(0, count),
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

const newModel = (set: ImageSet, classes: number) =>
  createPreset('keras-cifar-cnn', { inputShape: [set.height, set.width, set.channels], classes, seed: 1 });

/** One epoch through the app's training loop after a warm-up of a few batches. */
async function timeTraining(model: tf.LayersModel, set: ImageSet, classes: number) {
  await trainModel({ model, train: subset(set, 4 * benchConfig.batchSize), classes, config: benchConfig });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await trainModel({ model, train: set, classes, config: { ...benchConfig, seed: 2 } });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { seconds, imagesPerSecond: set.count / seconds, imagesPerCpuSecond: set.count / cpuSeconds };
}

/** Evaluation (the app's evaluateModel) and sensitivity analysis (2 points of one layer) over the set. */
async function timeForwardOnly(model: tf.LayersModel, set: ImageSet, classNames: string[]) {
  await evaluateModel(model, subset(set, Math.min(512, set.count)), classNames); // warm-up
  let started = performance.now();
  await evaluateModel(model, set, classNames);
  const evaluation = set.count / ((performance.now() - started) / 1000);
  const kernels = findPrunableKernels(model, { pruneFirstLayer: false, pruneLastLayer: false }).slice(0, 1);
  started = performance.now();
  await analyzeSensitivity({
    model,
    kernels,
    criterion: 'magnitude',
    batches: [],
    seed: 1,
    sparsities: [0.5, 0.9],
    set,
    classes: classNames.length,
  });
  const sensitivity = (2 * set.count) / ((performance.now() - started) / 1000);
  return { evaluationImagesPerSecond: round(evaluation), sensitivityImagesPerSecond: round(sensitivity) };
}

/** Half of every prunable kernel's weights masked (seeded), as while fine-tuning a pruned model. */
function halfMasks(model: tf.LayersModel): WeightMasks {
  const rng = createRng(7);
  const masks: WeightMasks = new Map();
  for (const k of findPrunableKernels(model, { pruneFirstLayer: true, pruneLastLayer: true })) {
    const keep = Float32Array.from({ length: k.size }, () => (rng.next() < 0.5 ? 0 : 1));
    masks.set(k.key, tf.tensor(keep, k.shape));
  }
  return masks;
}

/** A fine-tune epoch (masks re-applied after every step) timed by phase and kernel. */
async function profileFineTune(set: ImageSet, classes: number) {
  const model = newModel(set, classes);
  const masks = halfMasks(model);
  const profiler = createStepProfiler();
  try {
    const hooks = { afterOptimizerStep: () => applyMasks(model, masks) };
    const warm = subset(set, 2 * benchConfig.batchSize);
    await trainModel({ model, train: warm, classes, config: benchConfig, hooks, profiler });
    profiler.reset();
    await trainModel({ model, train: set, classes, config: { ...benchConfig, seed: 3 }, hooks, profiler });
    return profileFigures(profiler.report());
  } finally {
    profiler.dispose();
    disposeMasks(masks);
    model.dispose();
  }
}

export interface ChildResult {
  backend: BackendName;
  threads: number;
  reason: string;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  /**
   * images per second of this process's CPU time (all its threads): at one thread, the speed the
   * machine gives when nothing else runs on the core — the figure to compare across loaded runs
   */
  imagesPerCpuSecond: number;
  /** the step's FLOPs over its time, GFLOP/s */
  achievedGflops: number;
  /** wasm only: tf.matMul's peak in this process and the fraction of it the training step reached */
  matMulPeakGflops: number | null;
  fractionOfPeak: number | null;
  /**
   * wasm at one thread: the same in CPU time — the step's FLOPs per CPU-second over matMul's GFLOP per
   * CPU-second, a fraction that load from other processes cannot move
   */
  fractionOfPeakByCpu: number | null;
  evaluationImagesPerSecond: number | null;
  sensitivityImagesPerSecond: number | null;
  profile: ReturnType<typeof profileFigures> | null;
}

export async function runChild(
  backend: BackendName,
  threads: number,
  set: ImageSet,
  classes: number,
  options: { profile: boolean; cpuImages: number },
): Promise<ChildResult | { skipped: BackendName; reason: string }> {
  const info = await initBackend(backend, { wasmThreads: threads });
  if (info.name !== backend) return { skipped: backend, reason: info.reason };
  const wasm = backend === 'wasm';
  const measured = backend === 'cpu' ? subset(set, Math.min(options.cpuImages, set.count)) : set;
  const peak = wasm ? measureMatMulPeak() : null;
  const model = newModel(set, classes);
  try {
    const { seconds, imagesPerSecond, imagesPerCpuSecond } = await timeTraining(model, measured, classes);
    const flopsPerImage =
      trainingStepFlops(model, benchConfig.batchSize, 'adam').total / benchConfig.batchSize;
    const achievedGflops = (flopsPerImage * imagesPerSecond) / 1e9;
    const classNames = Array.from({ length: classes }, (_, i) => `class ${i}`);
    const forward = wasm ? await timeForwardOnly(model, measured, classNames) : null;
    return {
      backend,
      threads: info.threads,
      reason: info.reason,
      images: measured.count,
      seconds: round(seconds, 2),
      imagesPerSecond: round(imagesPerSecond),
      imagesPerCpuSecond: round(imagesPerCpuSecond),
      achievedGflops: round(achievedGflops, 2),
      matMulPeakGflops: peak ? round(peak.gflops, 2) : null,
      fractionOfPeak: peak ? round(achievedGflops / peak.gflops, 3) : null,
      fractionOfPeakByCpu:
        peak && info.threads === 1
          ? round((flopsPerImage * imagesPerCpuSecond) / 1e9 / peak.gflopsPerCpuSecond, 3)
          : null,
      evaluationImagesPerSecond: forward?.evaluationImagesPerSecond ?? null,
      sensitivityImagesPerSecond: forward?.sensitivityImagesPerSecond ?? null,
      profile: wasm && options.profile ? await profileFineTune(measured, classes) : null,
    };
  } finally {
    model.dispose();
  }
}
