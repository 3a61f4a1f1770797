// DTO builders for renderer tests, screenshots and the UI benchmark: realistic shapes, deterministic values.
import type {
  ArtifactSummary,
  DatasetDetail,
  EvaluationReport,
  LayerPruneReport,
  MetricSeries,
  PresetInfo,
  PruneStepReport,
  RunDetail,
  Settings,
  SystemInfo,
} from '../../src/shared/dto';
import { packMask } from '../../src/renderer/lib/maskBitmap';
import { judgedSeries, runBest } from '../../src/shared/bestMetric';

/** A small seeded generator so fixtures are the same on every run. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export const classNames = [
  'T-shirt',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Boot',
];

export function makeSystem(over: Partial<SystemInfo> = {}): SystemInfo {
  return {
    appVersion: '0.1.0',
    mode: 'serve',
    dataDir: '/home/user/.local/share/PruneLab',
    backend: { name: 'wasm', threads: 2, reason: 'tfjs-node not installed: using wasm, 2 threads' },
    missing: [
      { piece: 'tfjs-node', effect: 'training runs on WebAssembly, several times slower than native' },
    ],
    sampleDatasetPath: '/opt/prunelab/resources/sample-fashion',
    ...over,
  };
}

export function makeSettings(over: Partial<Settings> = {}): Settings {
  return { theme: 'light', jobConcurrency: 1, recentDatasets: [], queueUrl: null, ...over };
}

export function makePresets(): PresetInfo[] {
  return [
    {
      name: 'keras-cifar-cnn',
      description: 'Four conv layers and two dense, as in the Keras CIFAR-10 example',
      parameters: 1_250_858,
      flopsPerImage: 37_900_000,
    },
    {
      name: 'lenet5',
      description: 'LeNet-5: two conv, three dense',
      parameters: 61_706,
      flopsPerImage: 429_000,
    },
    {
      name: 'vgg-bn',
      description: 'A small VGG with batch norm',
      parameters: 2_300_000,
      flopsPerImage: 91_000_000,
    },
  ];
}

export function makeDataset(over: Partial<DatasetDetail> = {}): DatasetDetail {
  const classes = classNames.map((name, i) => {
    const count = i === 8 ? 40 : 300;
    return {
      name,
      count,
      train: Math.round(count * 0.8),
      validation: Math.round(count * 0.1),
      test: count - Math.round(count * 0.8) - Math.round(count * 0.1),
    };
  });
  const total = classes.reduce((a, c) => a + c.count, 0);
  return {
    id: 'ds-fashion',
    name: 'Fashion sample',
    sourcePath: '/data/fashion-sample',
    origin: 'path',
    kind: 'folder',
    contentHash: 'c0ffee',
    runCount: 0,
    createdAt: '2026-11-29T07:40:00.000Z',
    classes,
    imported: total,
    skipped: 5,
    inputShape: [28, 28, 1],
    resizeMode: 'crop',
    channelMix: { gray: total - 3, rgb: 2, rgba: 1 },
    sizeStats: {
      minWidth: 28,
      maxWidth: 64,
      minHeight: 28,
      maxHeight: 64,
      meanWidth: 28.4,
      meanHeight: 28.4,
    },
    split: {
      train: Math.round(total * 0.8),
      validation: Math.round(total * 0.1),
      test: total - Math.round(total * 0.8) - Math.round(total * 0.1),
      seed: 42,
      fromFolders: false,
    },
    warnings: [],
    problems: [
      { path: 'Bag/broken-1.png', reason: 'corrupt', detail: 'PNG CRC mismatch' },
      { path: 'Bag/broken-2.png', reason: 'corrupt' },
      { path: 'Coat/notes.txt', reason: 'not-an-image' },
      { path: 'Boot/dup.png', reason: 'duplicate', detail: 'same as Boot/0001.png' },
      { path: 'Dress/empty.png', reason: 'empty-file' },
    ],
    ...over,
  };
}

/** A training curve that learns with a little seeded noise. */
function curves(
  epochs: number,
  rand: () => number,
  ceiling: number,
  phase: 'train' | 'finetune' = 'train',
): MetricSeries[] {
  const e = Array.from({ length: epochs }, (_, i) => i + 1);
  // Fine-tuning starts from a trained (if damaged) model: its curve begins near the ceiling.
  const warm = phase === 'finetune' ? 6 : 0;
  const acc = (gap: number) =>
    e.map((x) => Math.min(0.999, ceiling - gap - 0.5 * Math.exp(-(x + warm) / 3) + (rand() - 0.5) * 0.02));
  const loss = (gap: number) =>
    e.map((x) => 0.25 + gap + 1.8 * Math.exp(-(x + warm) / 3) + (rand() - 0.5) * 0.03);
  return [
    { name: 'loss', split: 'train', phase, epochs: e, values: loss(0) },
    { name: 'loss', split: 'validation', phase, epochs: e, values: loss(0.08) },
    { name: 'accuracy', split: 'train', phase, epochs: e, values: acc(-0.02) },
    { name: 'accuracy', split: 'validation', phase, epochs: e, values: acc(0.02) },
  ];
}

export const layerShapes: { name: string; rows: number; cols: number; kernel?: [number, number] }[] = [
  { name: 'conv2d_1', rows: 32, cols: 9, kernel: [3, 3] },
  { name: 'conv2d_2', rows: 32, cols: 288, kernel: [3, 3] },
  { name: 'dense_1', rows: 40, cols: 925 },
  { name: 'dense_2', rows: 10, cols: 40 },
];

export function makeLayerReport(
  name: string,
  rows: number,
  cols: number,
  sparsity: number,
  rand: () => number,
  kernel?: [number, number],
): LayerPruneReport {
  const weights = rows * cols;
  // Pruning hits some units harder than others, so the map shows structure.
  const unitBias = Array.from({ length: rows }, () => (rand() - 0.5) * 0.4);
  const keptFlags: boolean[] = [];
  for (let i = 0; i < weights; i++)
    keptFlags.push(rand() > Math.min(0.99, Math.max(0, sparsity + (unitBias[Math.floor(i / cols)] ?? 0))));
  const kept = keptFlags.filter(Boolean).length;
  return {
    name,
    weights,
    kept,
    sparsity: 1 - kept / weights,
    threshold: 0.0004,
    histogram: {
      min: 0,
      max: 0.002,
      counts: Array.from({ length: 32 }, (_, i) => Math.round(weights * 0.2 * Math.exp(-i / 5))),
    },
    mask: { ...packMask(rows, cols, (i) => keptFlags[i] ?? false), ...(kernel ? { kernel } : {}) },
  };
}

/**
 * `finetune`: epochs of fine-tuning per round; when given, each step says when it pruned (atEpoch) and
 * how accurate the model was right after it (afterPrune), as steps recorded since migration 4 do.
 */
export function makePruneSteps(
  target: number,
  steps: number,
  rand: () => number,
  finetune?: number,
): PruneStepReport[] {
  return Array.from({ length: steps }, (_, k) => {
    const s = (target * (k + 1)) / steps;
    const layers = layerShapes.map((l) => makeLayerReport(l.name, l.rows, l.cols, s, rand, l.kernel));
    const prunable = layers.reduce((a, l) => a + l.weights, 0);
    const kept = layers.reduce((a, l) => a + l.kept, 0);
    const measured =
      finetune === undefined
        ? {}
        : {
            atEpoch: k * finetune,
            afterPrune: {
              split: 'test' as const,
              images: 300,
              accuracy: 0.86 - 0.45 * s * s,
              loss: 0.35 + 1.6 * s * s,
            },
          };
    return {
      step: k + 1,
      atStep: k * 40,
      ...measured,
      targetSparsity: s,
      achievedSparsity: 1 - kept / prunable,
      layers,
      totals: {
        parameters: prunable + 400,
        nonzeroParameters: kept + 400,
        prunableWeights: prunable,
        keptPrunableWeights: kept,
        denseFlops: 900_000,
        effectiveFlops: 900_000 * (kept / prunable),
        compressionRatio: prunable / Math.max(1, kept),
      },
    };
  });
}

export function makeEvaluation(accuracy: number, rand: () => number, testPerClass = 30): EvaluationReport {
  const confusion = classNames.map((_, i) =>
    classNames.map((__, j) =>
      i === j
        ? Math.round(testPerClass * accuracy)
        : Math.round(rand() * testPerClass * (1 - accuracy) * 0.3),
    ),
  );
  // one (true, predicted) pair per test image, matching the confusion matrix, in a shuffled split order
  // (own generator, so the other fixture values stay what they were)
  const pairs: [number, number][] = [];
  confusion.forEach((row, i) =>
    row.forEach((count, j) => pairs.push(...Array.from({ length: count }, (): [number, number] => [i, j]))),
  );
  const shuffle = seeded(Math.round(accuracy * 1000));
  for (let i = pairs.length - 1; i > 0; i--) {
    const k = Math.floor(shuffle() * (i + 1));
    [pairs[i], pairs[k]] = [pairs[k]!, pairs[i]!];
  }
  return {
    loss: 0.4,
    accuracy,
    macroF1: accuracy - 0.01,
    balancedAccuracy: accuracy - 0.005,
    perClass: classNames.map((name, i) => ({
      name,
      precision: Math.min(1, accuracy + (rand() - 0.5) * 0.1),
      recall: Math.min(1, accuracy + (rand() - 0.5) * 0.1),
      f1: accuracy,
      support: confusion[i]!.reduce((a, b) => a + b, 0),
    })),
    confusion,
    mostConfidentlyWrong: [{ index: 3, label: 0, predicted: 6, confidence: 0.97 }],
    predictions: pairs.map(([, predicted]) => predicted),
    labels: pairs.map(([label]) => label),
    split: 'test',
  };
}

export interface RunOptions {
  id?: string;
  name?: string;
  epochs?: number;
  seed?: number;
  pruned?: {
    criterion: 'taylor' | 'gradient' | 'magnitude' | 'random';
    sparsity: number;
    steps?: number;
    finetune?: number;
  } | null;
  status?: RunDetail['status'];
  sweepId?: string | null;
  /**
   * A prune run's dense parent. With one, the run records what real prune runs do: only its own
   * fine-tune epochs (the training epochs are the parent's). Without, it keeps a training curve of its own.
   */
  parentRunId?: string | null;
  gzip?: number | null;
}

export function makeRun(opts: RunOptions = {}): RunDetail {
  const seed = opts.seed ?? 1;
  const rand = seeded(
    seed * 7919 + (opts.id?.length ?? 0) + (opts.pruned ? Math.round(opts.pruned.sparsity * 100) : 0),
  );
  const epochs = opts.epochs ?? 8;
  const p = opts.pruned ?? null;
  const ceiling = p
    ? 0.9 - (p.criterion === 'random' ? 0.25 : p.criterion === 'magnitude' ? 0.04 : 0.01) * (p.sparsity * 2)
    : 0.9;
  const own = p && opts.parentRunId;
  const rounds = p?.steps ?? 1;
  const metrics = own ? [] : curves(epochs, rand, ceiling);
  if (p?.finetune) metrics.push(...curves(p.finetune * (own ? rounds : 1), rand, ceiling, 'finetune'));
  const steps = p ? makePruneSteps(p.sparsity, rounds, rand, own ? (p.finetune ?? 0) : undefined) : [];
  const evaluation = makeEvaluation(ceiling - 0.02, rand);
  const val = judgedSeries(metrics, 'validation', 'accuracy').own ?? undefined;
  const best = runBest(metrics, 'validation', 'accuracy');
  const last = (m: MetricSeries | undefined) => m?.values[m.values.length - 1] ?? 0;
  const id = opts.id ?? `run-${seed}`;
  return {
    id,
    name: opts.name ?? (p ? `${p.criterion} ${Math.round(p.sparsity * 100)}% s${seed}` : `dense s${seed}`),
    kind: p ? 'prune' : 'train',
    status: opts.status ?? 'done',
    datasetId: 'ds-fashion',
    datasetName: 'Fashion sample',
    config: {
      datasetId: 'ds-fashion',
      train: {
        preset: 'lenet5',
        epochs,
        batchSize: 64,
        learningRate: 0.001,
        optimizer: 'adam',
        momentum: 0.9,
        augment: { flip: false, shiftPixels: 0 },
        earlyStoppingPatience: 0,
        seed,
      },
      ...(p
        ? {
            prune: {
              criterion: p.criterion,
              target: { kind: 'sparsity' as const, value: p.sparsity },
              scope: 'layer' as const,
              minKeptFraction: 0.01,
              schedule:
                (p.steps ?? 1) > 1
                  ? { kind: 'iterative' as const, rounds: p.steps ?? 1 }
                  : { kind: 'oneshot' as const },
              granularity: 'unstructured' as const,
              finetuneEpochs: p.finetune ?? 0,
              finetuneLrSchedule: 'constant',
              scoring: 'calibration',
              calibrationBatches: 8,
              pruneFirstLayer: true,
              pruneLastLayer: true,
            },
          }
        : {}),
    },
    seed,
    backend: { name: 'wasm', threads: 2, reason: 'tfjs-node not installed: using wasm, 2 threads' },
    parentRunId: opts.parentRunId ?? null,
    sweepId: opts.sweepId ?? null,
    createdAt: `2026-11-29T08:${String(10 + (seed % 40)).padStart(2, '0')}:00.000Z`,
    startedAt: '2026-11-29T08:00:05.000Z',
    finishedAt: opts.status === 'running' ? null : '2026-11-29T08:04:00.000Z',
    error: opts.status === 'failed' ? 'engine ran out of memory' : null,
    best: best ? { 'validation.accuracy': best } : {},
    final: { 'validation.accuracy': last(val) },
    sparsity: steps.length ? steps[steps.length - 1]!.achievedSparsity : null,
    testAccuracy: evaluation.accuracy,
    exportGzipBytes:
      opts.gzip === undefined ? (p ? Math.round(240_000 * (1 - p.sparsity) + 20_000) : 250_000) : opts.gzip,
    smallestExport:
      opts.gzip === null ? null : { artifactId: `art-${id}`, format: 'tfjs', encoding: 'uint8' },
    metrics,
    pruneSteps: steps,
    denseEvaluation: p ? makeEvaluation(0.88, rand) : null,
    evaluation,
    sensitivity: [],
    artifacts: [],
    classes: classNames,
  };
}

export function makeArtifact(runId: string, over: Partial<ArtifactSummary> = {}): ArtifactSummary {
  return {
    id: 'art-1',
    runId,
    format: 'tfjs',
    encoding: 'float32',
    path: `/home/user/.local/share/PruneLab/exports/${runId}/tfjs-float32`,
    zipPath: `/home/user/.local/share/PruneLab/exports/${runId}/tfjs-float32.zip`,
    bytes: 250_000,
    gzipBytes: 70_000,
    sha256: 'ab'.repeat(32),
    createdAt: '2026-11-29T08:30:00.000Z',
    sizes: {
      export: {
        rawBytes: 250_000,
        gzipBytes: 70_000,
        sparseGzipBytes: 52_000,
        parameters: 61_706,
        nonzeroParameters: 12_400,
      },
      dense: {
        rawBytes: 250_000,
        gzipBytes: 228_000,
        sparseGzipBytes: 226_000,
        parameters: 61_706,
        nonzeroParameters: 61_706,
      },
      ratios: { raw: 1, gzip: 3.26, sparseGzip: 4.35 },
    },
    parity: { ok: true, runtime: 'tfjs', images: 64, top1Agreement: 1, maxAbsLogitDelta: 2.1e-6 },
    ...over,
  };
}
