// npm run bench:store — the experiment history at scale: 1,000 runs × 50 epochs × 4 metrics (plus prune
// steps, evaluations and exports on the prune runs), in a real file. Measures, side by side in one run:
//   openMs      opening the database (migration check included), median of 7 fresh opens  — goal ≤ 200
//   listRunsMs  runs.list() of all runs with best/final metrics, median of 25              — goal ≤ 50
//   seriesMs    one run's full metric series, median over 50 runs                          — goal ≤ 20
// Options: --runs N (default 1000), --epochs N (default 50), --keep (leave the database file).
// The last line of stdout is one JSON object with the figures.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DatasetDetail, EvaluationReport, PruneStepReport, RunConfig } from '../src/shared/dto';
import { openStore, type EpochMetrics, type Store } from '../src/main/store';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runCount = option('runs', 1000);
const epochs = option('epochs', 50);
const keep = args.includes('--keep');
const criteria = ['taylor', 'gradient', 'magnitude', 'random'] as const;

// A tiny seeded generator so every bench run writes the same history.
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const random = lcg(7);

function dataset(id: string): DatasetDetail {
  return {
    id,
    name: `dataset ${id}`,
    sourcePath: `/data/${id}`,
    origin: 'path',
    kind: 'idx',
    contentHash: `hash-${id}`,
    runCount: 0,
    createdAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    classes: Array.from({ length: 10 }, (_, i) => ({
      name: `class${i}`,
      count: 7000,
      train: 5600,
      validation: 700,
      test: 700,
    })),
    imported: 70_000,
    skipped: 0,
    inputShape: [28, 28, 1],
    resizeMode: 'crop',
    channelMix: { gray: 70_000 },
    sizeStats: { minWidth: 28, maxWidth: 28, minHeight: 28, maxHeight: 28, meanWidth: 28, meanHeight: 28 },
    split: { train: 56_000, validation: 7000, test: 7000, seed: 42, fromFolders: false },
    warnings: [],
    problems: [],
  };
}

function config(datasetId: string, i: number, parentRunId?: string): RunConfig {
  const train: RunConfig['train'] = {
    preset: 'lenet5',
    epochs,
    batchSize: 64,
    learningRate: 0.001,
    optimizer: 'adam',
    momentum: 0.9,
    augment: { flip: false, shiftPixels: 0 },
    earlyStoppingPatience: 0,
    seed: i % 5,
  };
  if (!parentRunId) return { datasetId, train };
  return {
    datasetId,
    train,
    parentRunId,
    prune: {
      criterion: criteria[i % criteria.length] ?? 'taylor',
      target: { kind: 'sparsity', value: 0.5 + (i % 5) / 10 },
      scope: 'layer',
      minKeptFraction: 0.01,
      schedule: { kind: 'oneshot' },
      granularity: 'unstructured',
      finetuneEpochs: epochs,
      finetuneLrSchedule: 'constant',
      scoring: 'calibration',
      calibrationBatches: 8,
      pruneFirstLayer: true,
      pruneLastLayer: true,
    },
  };
}

function evaluation(accuracy: number): EvaluationReport {
  return {
    loss: 1 - accuracy,
    accuracy,
    macroF1: accuracy - 0.01,
    balancedAccuracy: accuracy - 0.005,
    perClass: Array.from({ length: 10 }, (_, c) => ({
      name: `class${c}`,
      precision: accuracy,
      recall: accuracy,
      f1: accuracy,
      support: 700,
    })),
    confusion: Array.from({ length: 10 }, (_, r) =>
      Array.from({ length: 10 }, (_, c) => (r === c ? 630 : 7)),
    ),
    mostConfidentlyWrong: [],
  };
}

function pruneStep(sparsity: number): PruneStepReport {
  const layer = (name: string, weights: number) => ({
    name,
    weights,
    kept: Math.round(weights * (1 - sparsity)),
    sparsity,
    threshold: 0.01,
    histogram: { min: 0, max: 1, counts: Array.from({ length: 32 }, (_, b) => 32 - b) },
    mask: {
      rows: 1,
      cols: weights,
      bitsBase64: Buffer.alloc(Math.ceil(weights / 8), 0xaa).toString('base64'),
    },
  });
  return {
    step: 1,
    atStep: 0,
    targetSparsity: sparsity,
    achievedSparsity: sparsity,
    layers: [
      layer('conv1', 150),
      layer('conv2', 2400),
      layer('dense1', 48_000),
      layer('dense2', 10_080),
      layer('out', 840),
    ],
    totals: {
      parameters: 61_706,
      nonzeroParameters: Math.round(61_706 * (1 - sparsity)),
      prunableWeights: 61_470,
      keptPrunableWeights: Math.round(61_470 * (1 - sparsity)),
      denseFlops: 420_000,
      effectiveFlops: Math.round(420_000 * (1 - sparsity)),
      compressionRatio: 1 / (1 - sparsity),
    },
  };
}

function seriesFor(phase: 'train' | 'finetune'): EpochMetrics[] {
  let loss = 2 + random();
  let acc = 0.1;
  return Array.from({ length: epochs }, (_, e) => {
    loss *= 0.9 + random() * 0.08;
    acc += (1 - acc) * (0.05 + random() * 0.1);
    return {
      epoch: e + 1,
      phase,
      values: [
        { split: 'train' as const, name: 'loss', value: loss },
        { split: 'train' as const, name: 'accuracy', value: acc },
        { split: 'validation' as const, name: 'loss', value: loss * 1.1 },
        { split: 'validation' as const, name: 'accuracy', value: acc - 0.02 },
      ],
    };
  });
}

function seed(store: Store): string[] {
  const datasetIds = ['mnist', 'fashion', 'cifar10', 'shapes', 'letters'];
  for (const id of datasetIds) store.datasets.save(dataset(id));
  const ids: string[] = [];
  let parent: string | undefined;
  for (let i = 0; i < runCount; i++) {
    const datasetId = datasetIds[i % datasetIds.length] ?? 'mnist';
    // Every fifth run is a dense training; the four after it prune it (one per criterion).
    const isDense = i % 5 === 0;
    store.transaction(() => {
      const run = store.runs.create({
        name: `run ${i}`,
        kind: isDense ? 'train' : 'prune',
        config: config(datasetId, i, isDense ? undefined : parent),
      });
      ids.push(run.id);
      if (isDense) parent = run.id;
      store.runs.setStatus(run.id, 'running');
      store.runs.setBackend(run.id, { name: 'wasm', threads: 2, reason: 'bench' });
      store.metrics.appendMany(
        seriesFor(isDense ? 'train' : 'finetune').map((e) => ({ runId: run.id, ...e })),
      );
      if (!isDense) {
        store.pruneSteps.record(run.id, pruneStep(0.5 + (i % 5) / 10));
        store.evaluations.save(run.id, 'dense', evaluation(0.9));
      }
      store.evaluations.save(run.id, 'final', evaluation(0.8 + random() * 0.15));
      if (i % 3 === 0) {
        store.artifacts.create({
          runId: run.id,
          format: 'tfjs',
          encoding: 'float32',
          path: `/exports/${run.id}/tfjs-float32`,
          zipPath: null,
          bytes: 246_824,
          gzipBytes: 100_000 + i,
          sha256: '0'.repeat(64),
          sizes: null,
          parity: { ok: true, runtime: 'tfjs', images: 64, top1Agreement: 1, maxAbsLogitDelta: 0 },
        });
      }
      store.runs.setStatus(
        run.id,
        i % 17 === 0 ? 'failed' : 'done',
        i % 17 === 0 ? { error: 'bench failure' } : {},
      );
    });
  }
  return ids;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function time<T>(fn: () => T): [number, T] {
  const t0 = performance.now();
  const value = fn();
  return [performance.now() - t0, value];
}

const round = (x: number) => Math.round(x * 100) / 100;

const dir = mkdtempSync(join(tmpdir(), 'prunelab-bench-store-'));
const dbPath = join(dir, 'prunelab.db');
try {
  const seeding = openStore(dbPath);
  const [seedMs, ids] = time(() => seed(seeding));
  seeding.close();
  const dbBytes = statSync(dbPath).size;
  console.log(
    `seeded ${runCount} runs × ${epochs} epochs × 4 metrics in ${Math.round(seedMs)} ms (${(dbBytes / 1e6).toFixed(1)} MB)`,
  );

  const openTimes: number[] = [];
  for (let k = 0; k < 7; k++) {
    const [ms, s] = time(() => openStore(dbPath));
    openTimes.push(ms);
    s.close();
  }
  const store = openStore(dbPath);

  store.runs.list({ limit: 10_000 }); // warm the statement and page cache
  const listTimes: number[] = [];
  let listed = 0;
  for (let k = 0; k < 25; k++) {
    const [ms, runs] = time(() => store.runs.list({ limit: 10_000 }));
    listTimes.push(ms);
    listed = runs.length;
    if (Object.keys(runs[0]?.best ?? {}).length !== 4) throw new Error('a listed run lacks its best metrics');
  }
  const [filteredMs] = time(() => store.runs.list({ criterion: 'taylor', status: 'done' }));

  const seriesTimes: number[] = [];
  const detailTimes: number[] = [];
  for (let k = 0; k < 50; k++) {
    const id = ids[Math.floor(random() * ids.length)] ?? '';
    const [ms, series] = time(() => store.metrics.series(id));
    if (series.length !== 4 || series[0]?.values.length !== epochs) throw new Error('incomplete series');
    seriesTimes.push(ms);
    detailTimes.push(time(() => store.runDetail(id))[0]);
  }
  store.close();

  const figures = {
    bench: 'store',
    runs: runCount,
    epochs,
    metricsPerEpoch: 4,
    listed,
    openMs: round(median(openTimes)),
    openMaxMs: round(Math.max(...openTimes)),
    listRunsMs: round(median(listTimes)),
    listRunsMaxMs: round(Math.max(...listTimes)),
    listFilteredMs: round(filteredMs),
    seriesMs: round(median(seriesTimes)),
    seriesMaxMs: round(Math.max(...seriesTimes)),
    runDetailMs: round(median(detailTimes)),
    seedMs: Math.round(seedMs),
    dbMB: round(dbBytes / 1e6),
    goals: { openMs: 200, listRunsMs: 50, seriesMs: 20 },
  };
  const ok = figures.openMs <= 200 && figures.listRunsMs <= 50 && figures.seriesMs <= 20;
  console.log(ok ? 'all three goals met' : 'GOAL MISSED');
  console.log(JSON.stringify({ ...figures, ok }));
  if (!ok) process.exitCode = 1;
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
  else console.error(`kept ${dbPath}`);
}
