// npm run bench:export — the size truth and parity of real exports of the keras-cifar-cnn preset
// (32×32×3, 10 classes), written, measured from the files and loaded in a fresh process, side by side:
//   gzip80      dense float32 gzip ÷ pruned float32 gzip at 80% sparsity        — goal ≥ 3
//   gzip90      the same at 90%                                                — goal ≥ 5
//   uint8At80   dense float32 gzip ÷ pruned uint8 gzip at 80%                   — goal ≥ 9.5
//   sparseGain90  1 − sparse-encoding bytes ÷ gzip bytes, float32 at 90%       — goal ≥ 0.20
// Pruning is the prune engine's one-shot unstructured step, layer scope, magnitude criterion (taylor
// only changes WHICH weights go, not how many; the sizes depend on how many). Weights are the preset's seeded
// initialisation, or a saved model state (e.g. a trained run's runs/<id>/model) with --model-dir.
// Parity uses --images N seeded random images (default 200; the app uses ≤ 1,000 test images).
// Options: --images N, --seed N, --model-dir DIR. The last line of stdout is one JSON object of the figures.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportFormat, ParityResult, SizeTable, WeightEncoding } from '../src/shared/dto';
import { initBackend } from '../src/main/engine/backend';
import { exportModel } from '../src/main/engine/export/exportModel';
import { countFlops, countParameters, createPreset } from '../src/main/engine/models';
import { findPrunableKernels, pruneUnstructuredStep, type WeightMasks } from '../src/main/engine/prune';
import { pruneConfig } from '../src/shared/schemas';
import { loadModelState } from '../src/main/engine/train/modelState';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const imageCount = option('images', 200);
const seed = option('seed', 1);
const modelDirIndex = args.indexOf('--model-dir');
const modelDir = modelDirIndex >= 0 ? args[modelDirIndex + 1] : undefined;

/**
 * Prunes with the prune engine itself: one-shot, layer scope, the app's default first/last-layer
 * choice, magnitude criterion (taylor needs real images; the sizes depend on how many weights go,
 * not which). Returns the masks, keyed as the engine keys them.
 */
function pruneWithEngine(model: tf.LayersModel, sparsity: number): WeightMasks {
  const config = pruneConfig.parse({ criterion: 'magnitude', target: { kind: 'sparsity', value: sparsity } });
  const kernels = findPrunableKernels(model, config);
  const masks: WeightMasks = new Map();
  pruneUnstructuredStep({
    model,
    kernels,
    masks,
    criterion: config.criterion,
    rules: { target: config.target, scope: config.scope, minKeptFraction: config.minKeptFraction },
    batches: [],
    seed,
    step: 1,
    atStep: 0,
    dense: { parameters: countParameters(model), flops: countFlops(model) },
  });
  return masks;
}

interface Row {
  sparsity: number;
  format: ExportFormat;
  encoding: WeightEncoding;
  sizes: SizeTable;
  parity: ParityResult;
  seconds: number;
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const saved = modelDir ? await loadModelState(modelDir) : null;
  const inputShape: [number, number, number] = saved?.meta.inputShape ?? [32, 32, 3];
  const classCount = saved ? (saved.model.outputs[0]?.shape[1] ?? 10) : 10;
  const classes = Array.from(
    { length: classCount as number },
    (_, i) => saved?.meta.classes[i] ?? `class${i}`,
  );
  const build = async (): Promise<tf.LayersModel> => {
    if (!modelDir) return createPreset('keras-cifar-cnn', { inputShape, classes: classes.length, seed });
    // A dense model is expected; masks a pruned state carries are ignored (the bench prunes itself).
    const state = await loadModelState(modelDir);
    state.masks?.forEach((m) => m.dispose());
    return state.model;
  };
  saved?.model.dispose();
  saved?.masks?.forEach((m) => m.dispose());
  const parityImages = tf.tidy(() => ({
    images: tf.randomUniform([imageCount, ...inputShape], 0, 1, 'float32', seed).dataSync() as Float32Array,
    count: imageCount,
    height: inputShape[0],
    width: inputShape[1],
    channels: inputShape[2],
  }));
  const root = await mkdtemp(join(tmpdir(), 'prunelab-bench-export-'));
  const dense = await build();
  const rows: Row[] = [];
  const cases: [number, ExportFormat, WeightEncoding][] = [
    [0.8, 'tfjs', 'float32'],
    [0.8, 'tfjs', 'float16'],
    [0.8, 'tfjs', 'uint8'],
    [0.8, 'onnx', 'float32'],
    [0.8, 'onnx', 'uint8'],
    [0.9, 'tfjs', 'float32'],
    [0.9, 'tfjs', 'uint8'],
  ];
  try {
    for (const [sparsity, format, encoding] of cases) {
      const model = await build();
      const masks = pruneWithEngine(model, sparsity);
      const started = performance.now();
      const outcome = await exportModel({
        model,
        masks,
        denseModel: dense,
        format,
        encoding,
        outDir: join(root, `${format}-${encoding}-${sparsity}`),
        zip: false,
        classes,
        inputShape,
        resizeMode: 'crop',
        runId: 'bench',
        runConfig: null,
        appVersion: 'bench',
        parityImages,
      });
      rows.push({
        sparsity,
        format,
        encoding,
        sizes: outcome.sizes,
        parity: outcome.parity,
        seconds: (performance.now() - started) / 1000,
      });
      tf.dispose([...masks.values()]);
      model.dispose();
    }
  } finally {
    dense.dispose();
    await rm(root, { recursive: true, force: true });
  }

  const source = modelDir
    ? `saved model ${modelDir}`
    : `keras-cifar-cnn, seeded initialisation (seed ${seed})`;
  console.log(
    `${source}, ${inputShape.join('×')}, ${classes.length} classes, backend ${backend.name}; parity on ${imageCount} images`,
  );
  console.log(
    'sparsity format encoding   raw B   gzip B  sparse B  nonzero/params   gzip× (vs dense f32)  top-1   max|Δlogit|',
  );
  for (const r of rows) {
    const e = r.sizes.export;
    console.log(
      [
        r.sparsity.toFixed(2).padStart(8),
        r.format.padEnd(6),
        r.encoding.padEnd(8),
        String(e.rawBytes).padStart(7),
        String(e.gzipBytes).padStart(8),
        String(e.sparseGzipBytes).padStart(9),
        `${e.nonzeroParameters}/${e.parameters}`.padStart(15),
        r.sizes.ratios.gzip.toFixed(2).padStart(21),
        (r.parity.top1Agreement * 100).toFixed(1).padStart(6),
        r.parity.maxAbsLogitDelta.toExponential(2).padStart(12),
      ].join(' '),
    );
  }
  const find = (s: number, f: ExportFormat, e: WeightEncoding) =>
    rows.find((r) => r.sparsity === s && r.format === f && r.encoding === e) as Row;
  const f80 = find(0.8, 'tfjs', 'float32');
  const f90 = find(0.9, 'tfjs', 'float32');
  const u80 = find(0.8, 'tfjs', 'uint8');
  const round = (x: number, d = 3) => Number(x.toFixed(d));
  const figures = {
    model: modelDir ?? 'keras-cifar-cnn',
    inputShape,
    backend: backend.name,
    parameters: f80.sizes.dense.parameters,
    denseGzipBytes: f80.sizes.dense.gzipBytes,
    gzip80: round(f80.sizes.ratios.gzip),
    gzip90: round(f90.sizes.ratios.gzip),
    uint8At80: round(f80.sizes.dense.gzipBytes / u80.sizes.export.gzipBytes),
    sparseGain90: round(1 - f90.sizes.export.sparseGzipBytes / f90.sizes.export.gzipBytes),
    goals: {
      gzip80: f80.sizes.ratios.gzip >= 3,
      gzip90: f90.sizes.ratios.gzip >= 5,
      uint8At80: f80.sizes.dense.gzipBytes / u80.sizes.export.gzipBytes >= 9.5,
      sparseGain90: 1 - f90.sizes.export.sparseGzipBytes / f90.sizes.export.gzipBytes >= 0.2,
    },
    parity: Object.fromEntries(
      rows.map((r) => [
        `${r.format}-${r.encoding}-${r.sparsity}`,
        {
          ok: r.parity.ok,
          top1: round(r.parity.top1Agreement, 4),
          maxAbsLogitDelta: Number(r.parity.maxAbsLogitDelta.toExponential(2)),
        },
      ]),
    ),
    exportSeconds: round(
      rows.reduce((s, r) => s + r.seconds, 0),
      1,
    ),
  };
  console.log(JSON.stringify(figures));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
