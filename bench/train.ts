// npm run bench:train [-- --images N] [-- --quick] [-- --rounds R] [-- --profile] [-- --skip-cpu]
// Training speed of keras-cifar-cnn against wasm's own ceiling and PyTorch's CPU training of the same
// network on the same images, all in one run. 28×28×1 inputs (Fashion-MNIST from Debian's
// dataset-fashion-mnist when installed, else seeded synthetic images), batch 64, Adam, one epoch after a
// warm-up, through the app's own training loop.
//   default: 4,096 images, 3 rounds (the cpu backend, ~300× slower, times 256 images once)
//   --quick: 1,024 images, 1 round (cpu: 64)
//   --skip-cpu: leave out the cpu backend (minutes of work; nothing wasm changes moves its figure)
// Every round runs, in this order: wasm at 1 thread, PyTorch at 1 thread, wasm at one thread per core,
// PyTorch at as many — each wasm run in its own process (wasm's threads are fixed when it first starts).
// Figures are medians over rounds; ratios (2 threads ÷ 1, wasm ÷ PyTorch) are medians of each round's
// own ratio, so both sides of a ratio saw about the same machine load.
// Each wasm run also measures, in its process: tf.matMul's peak (the roofline), the training step's
// FLOPs (from the model) over its time, evaluation and sensitivity-analysis images/s (forward only) and,
// with --profile, a fine-tune epoch (masks re-applied after every step) timed per phase and kernel.
// The last stdout line is one JSON object with all of it.
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BackendName } from '../src/shared/dto';
import { readIdxImages, readIdxLabels } from '../src/main/engine/data/idx';
import { createPreset } from '../src/main/engine/models';
import { trainingStepFlops } from '../src/main/engine/models/counts';
import { syntheticImageSet } from '../src/main/engine/train/syntheticImages';
import type { ImageSet } from '../src/main/engine/types';
import { benchConfig, runChild, type ChildResult } from './trainChild';
import { profileTable } from './trainProfileTable';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
const skipCpu = args.includes('--skip-cpu');
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const images = Number(option('images') ?? (quick ? 1024 : 4096));
const rounds = Number(option('rounds') ?? (quick ? 1 : 3));
const cpuImages = Math.min(images, quick ? 64 : 256);
const size = 28;
const classes = 10;
const cores = cpus().length;
const fashionDir = option('data') ?? '/usr/share/datasets/fashion-mnist';
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

async function loadImages(): Promise<{ set: ImageSet; source: string }> {
  const imagesFile = join(fashionDir, 'train-images-idx3-ubyte.gz');
  const labelsFile = join(fashionDir, 'train-labels-idx1-ubyte.gz');
  if (existsSync(imagesFile) && existsSync(labelsFile)) {
    const idx = await readIdxImages(imagesFile);
    const labels = await readIdxLabels(labelsFile);
    const count = Math.min(images, idx.count);
    return {
      source: 'fashion-mnist',
      set: {
        images: idx.pixels.subarray(0, count * size * size),
        labels: Uint16Array.from(labels.subarray(0, count)),
        count,
        height: size,
        width: size,
        channels: 1,
      },
    };
  }
  return {
    source: 'synthetic',
    set: syntheticImageSet({ count: images, height: size, width: size, channels: 1, classes, seed: 1 }),
  };
}

type TorchResult = { threads: number; imagesPerSecond: number } | { threads: number; error: string };

async function measureTorch(dataDir: string, count: number, threads: number): Promise<TorchResult> {
  try {
    const { stdout } = await promisify(execFile)(python, [
      join(import.meta.dirname, 'torch_train.py'),
      ...['--images', join(dataDir, 'images.u8'), '--labels', join(dataDir, 'labels.u8')],
      ...['--count', String(count), '--size', String(size), '--classes', String(classes)],
      ...['--batch', String(benchConfig.batchSize), '--threads', String(threads)],
    ]);
    const last = stdout.trim().split('\n').at(-1) ?? '{}';
    return { threads, imagesPerSecond: (JSON.parse(last) as { imagesPerSecond: number }).imagesPerSecond };
  } catch (error) {
    return { threads, error: (error as Error).message.split('\n')[0] ?? 'failed' };
  }
}

type ChildAnswer = ChildResult | { skipped: BackendName; reason: string };

/** Child mode: one backend at one thread count. */
async function child(backend: BackendName, threads: number): Promise<void> {
  const { set } = await loadImages();
  console.log(JSON.stringify(await runChild(backend, threads, set, classes, { profile, cpuImages })));
}

async function spawnChild(backend: BackendName, threads: number): Promise<ChildAnswer> {
  const passOn = [
    ...['--images', String(images)],
    ...(option('data') ? ['--data', fashionDir] : []),
    ...(profile ? ['--profile'] : []),
  ];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, ...passOn, '--child', backend, '--threads', String(threads)],
    { maxBuffer: 16 << 20, timeout: 30 * 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ChildAnswer;
}

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (x: number | null, digits = 1) =>
  x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const { set, source } = await loadImages();
  const threadCounts = [...new Set([1, cores])];
  const model = createPreset('keras-cifar-cnn', { inputShape: [size, size, 1], classes, seed: 1 });
  const stepFlops = trainingStepFlops(model, benchConfig.batchSize, 'adam');
  model.dispose();
  console.log(
    `keras-cifar-cnn, ${size}×${size}×1, batch ${benchConfig.batchSize}, ${set.count} ${source} images, ` +
      `${cores} cores, ${rounds} round(s); ${(stepFlops.total / 1e9).toFixed(3)} GFLOP per training step ` +
      `(${(stepFlops.total / benchConfig.batchSize / 1e6).toFixed(2)} MFLOP per image)`,
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'prunelab-bench-train-'));
  const wasmRuns = new Map<number, ChildResult[]>(threadCounts.map((t) => [t, []]));
  const torchRuns = new Map<number, TorchResult[]>(threadCounts.map((t) => [t, []]));
  const others: ChildResult[] = [];
  const skipped: { backend: BackendName; reason: string }[] = [];
  const keep = (answer: ChildAnswer, into: ChildResult[]) => {
    if ('skipped' in answer) {
      skipped.push({ backend: answer.skipped, reason: answer.reason });
      console.log(`${answer.skipped}: not available (${answer.reason})`);
      return;
    }
    into.push(answer);
    const roof =
      answer.matMulPeakGflops !== null
        ? `; ${answer.achievedGflops} GFLOP/s = ${(answer.fractionOfPeak! * 100).toFixed(1)}% of matMul's ` +
          (answer.fractionOfPeakByCpu !== null
            ? `(${(answer.fractionOfPeakByCpu * 100).toFixed(1)}% by CPU time) `
            : '') +
          `${answer.matMulPeakGflops}; evaluation ${answer.evaluationImagesPerSecond} images/s, ` +
          `sensitivity ${answer.sensitivityImagesPerSecond}`
        : '';
    console.log(
      `${answer.backend}, ${answer.threads} thread(s): ${answer.imagesPerSecond} images/s ` +
        `(${answer.imagesPerCpuSecond} per CPU-second)${roof} (${answer.reason})`,
    );
    if (answer.profile) console.log(profileTable(`profile, ${answer.threads} thread(s)`, answer.profile));
  };
  try {
    await writeFile(join(dataDir, 'images.u8'), set.images);
    await writeFile(join(dataDir, 'labels.u8'), Uint8Array.from(set.labels));
    keep(await spawnChild('tensorflow', 1), others);
    for (let r = 0; r < rounds; r++) {
      for (const threads of threadCounts) {
        keep(await spawnChild('wasm', threads), wasmRuns.get(threads)!);
        const t = await measureTorch(dataDir, set.count, threads);
        torchRuns.get(threads)!.push(t);
        console.log(
          'error' in t
            ? `torch, ${threads} thread(s): ${t.error}`
            : `torch, ${threads} thread(s): ${round(t.imagesPerSecond)} images/s`,
        );
      }
    }
    if (!skipCpu) keep(await spawnChild('cpu', 1), others);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }

  const torchRate = (t: TorchResult | undefined) => (t && !('error' in t) ? t.imagesPerSecond : null);
  const ratioPerRound = (a: (r: number) => number | null, b: (r: number) => number | null) =>
    round(
      median(
        Array.from({ length: rounds }, (_, r) => {
          const x = a(r);
          const y = b(r);
          return x !== null && y !== null ? x / y : null;
        }).filter((v): v is number => v !== null),
      ),
      2,
    );
  const wasmRate = (threads: number) => (r: number) => wasmRuns.get(threads)![r]?.imagesPerSecond ?? null;
  const wasm = threadCounts.map((threads) => {
    const runs = wasmRuns.get(threads)!;
    const med = (pick: (c: ChildResult) => number | null) =>
      median(runs.map(pick).filter((v): v is number => v !== null));
    return {
      backend: 'wasm' as const,
      threads,
      imagesPerSecond: round(med((c) => c.imagesPerSecond)),
      imagesPerCpuSecond: round(med((c) => c.imagesPerCpuSecond)),
      achievedGflops: round(
        med((c) => c.achievedGflops),
        2,
      ),
      matMulPeakGflops: round(
        med((c) => c.matMulPeakGflops),
        2,
      ),
      fractionOfPeak: round(
        med((c) => c.fractionOfPeak),
        3,
      ),
      evaluationImagesPerSecond: round(med((c) => c.evaluationImagesPerSecond)),
      sensitivityImagesPerSecond: round(med((c) => c.sensitivityImagesPerSecond)),
      evaluationOverTraining: ratioPerRound(
        (r) => runs[r]?.evaluationImagesPerSecond ?? null,
        (r) => runs[r]?.imagesPerSecond ?? null,
      ),
      samples: runs.map((c) => c.imagesPerSecond),
    };
  });
  const torch = threadCounts.map((threads) => ({
    threads,
    imagesPerSecond: round(
      median(
        torchRuns
          .get(threads)!
          .map(torchRate)
          .filter((v): v is number => v !== null),
      ),
    ),
    errors: torchRuns.get(threads)!.flatMap((t) => ('error' in t ? [t.error] : [])),
  }));
  const vsTorch = Object.fromEntries(
    threadCounts.map((threads) => [
      `threads${threads}`,
      ratioPerRound(wasmRate(threads), (r) => torchRate(torchRuns.get(threads)![r])),
    ]),
  );
  const threadScaling = cores > 1 ? ratioPerRound(wasmRate(cores), wasmRate(1)) : null;
  const profiles = Object.fromEntries(
    threadCounts.map((threads) => [`threads${threads}`, wasmRuns.get(threads)![0]?.profile ?? null]),
  );
  console.log(
    `medians over ${rounds} round(s): ` +
      wasm
        .map(
          (w) =>
            `wasm ${w.threads}t ${w.imagesPerSecond} images/s (${((w.fractionOfPeak ?? 0) * 100).toFixed(1)}% of peak, ` +
            `evaluation ×${w.evaluationOverTraining})`,
        )
        .join('; ') +
      `; ${cores} threads ÷ 1: ×${threadScaling}; wasm ÷ PyTorch: ${JSON.stringify(vsTorch)}`,
  );
  console.log(
    JSON.stringify({
      stepFlops,
      results: [
        ...wasm,
        ...others.map((o) => ({
          backend: o.backend,
          threads: o.threads,
          imagesPerSecond: o.imagesPerSecond,
        })),
      ],
      torch,
      wasmVsTorch: vsTorch,
      threadScaling,
      profile: profile ? profiles : null,
      rounds,
      cores,
      images: set.count,
      data: source,
      skipped,
      tfjs: tf.version.tfjs,
    }),
  );
}

const childBackend = option('child') as BackendName | undefined;
if (childBackend) await child(childBackend, Number(option('threads') ?? 1));
else await main();
