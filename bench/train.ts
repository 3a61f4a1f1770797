// npm run bench:train [-- --images N] [-- --quick] — training speed of keras-cifar-cnn, per backend,
// beside PyTorch's CPU training of the same network on the same images, measured in one run.
// 28×28×1 inputs (Fashion-MNIST from Debian's dataset-fashion-mnist when installed, else seeded
// synthetic images), batch 64, Adam, one epoch after a warm-up, through the app's own training loop.
//   default: 4,096 images per backend (the cpu backend, ~50× slower, times 256 of them)
//   --quick: 1,024 images (cpu: 64)
// wasm runs at 1 thread and at one per core (each in its own process: wasm's threads are fixed at start),
// each followed by PyTorch (bench/torch_train.py, Debian's python3-torch) at the same thread count.
// The last stdout line is one JSON object:
//   {"results":[{"backend":"wasm","threads":1,"imagesPerSecond":X,"images":N},…],
//    "torchImagesPerSecond":Y,"torchThreads":T,"torch":[…],"cores":2,…}
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BackendName } from '../src/shared/dto';
import { initBackend } from '../src/main/engine/backend';
import { readIdxImages, readIdxLabels } from '../src/main/engine/data/idx';
import { createPreset } from '../src/main/engine/models';
import { syntheticImageSet } from '../src/main/engine/train/syntheticImages';
import { trainModel } from '../src/main/engine/train/trainLoop';
import type { TrainLoopConfig } from '../src/main/engine/train/trainTypes';
import type { ImageSet } from '../src/main/engine/types';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const images = Number(option('images') ?? (quick ? 1024 : 4096));
const cpuImages = Math.min(images, quick ? 64 : 256);
const batchSize = 64;
const size = 28;
const classes = 10;
const cores = cpus().length;
const fashionDir = option('data') ?? '/usr/share/datasets/fashion-mnist';
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const config: TrainLoopConfig = {
  epochs: 1,
  batchSize,
  learningRate: 0.001,
  optimizer: 'adam',
  momentum: 0.9,
  augment: { flip: false, shiftPixels: 0 },
  earlyStoppingPatience: 0,
  seed: 1,
};

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

function subset(set: ImageSet, count: number): ImageSet {
  const pixels = set.height * set.width * set.channels;
  return {
    ...set,
    count,
    images: set.images.subarray(0, count * pixels),
    labels: set.labels.subarray(0, count),
  };
}

/** One epoch through the app's training loop after a warm-up of a few batches; images per second. */
async function measureBackend(set: ImageSet): Promise<{ seconds: number; imagesPerSecond: number }> {
  const model = createPreset('keras-cifar-cnn', { inputShape: [size, size, 1], classes, seed: 1 });
  try {
    await trainModel({ model, train: subset(set, 4 * batchSize), classes, config });
    const started = performance.now();
    await trainModel({ model, train: set, classes, config: { ...config, seed: 2 } });
    const seconds = (performance.now() - started) / 1000;
    return { seconds, imagesPerSecond: set.count / seconds };
  } finally {
    model.dispose();
  }
}

async function measureTorch(
  dataDir: string,
  count: number,
  threads: number,
): Promise<
  { threads: number; imagesPerSecond: number; seconds: number } | { threads: number; error: string }
> {
  try {
    const { stdout } = await promisify(execFile)(python, [
      join(import.meta.dirname, 'torch_train.py'),
      ...['--images', join(dataDir, 'images.u8'), '--labels', join(dataDir, 'labels.u8')],
      ...['--count', String(count), '--size', String(size), '--classes', String(classes)],
      ...['--batch', String(batchSize), '--threads', String(threads)],
    ]);
    const last = stdout.trim().split('\n').at(-1) ?? '{}';
    const result = JSON.parse(last) as { imagesPerSecond: number; seconds: number };
    return { threads, imagesPerSecond: result.imagesPerSecond, seconds: result.seconds };
  } catch (error) {
    return { threads, error: (error as Error).message.split('\n')[0] ?? 'failed' };
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

interface BackendResult {
  backend: BackendName;
  threads: number;
  imagesPerSecond: number;
  images: number;
  seconds: number;
  reason: string;
}

/** Child mode: one backend at one thread count (wasm threads are fixed when wasm first starts). */
async function child(backend: BackendName, threads: number): Promise<void> {
  const { set } = await loadImages();
  const info = await initBackend(backend, { wasmThreads: threads });
  if (info.name !== backend) {
    console.log(JSON.stringify({ skipped: backend, reason: info.reason }));
    return;
  }
  const measured = backend === 'cpu' ? subset(set, Math.min(cpuImages, set.count)) : set;
  const { seconds, imagesPerSecond } = await measureBackend(measured);
  const result: BackendResult = {
    backend,
    threads: info.threads,
    imagesPerSecond: round(imagesPerSecond),
    images: measured.count,
    seconds: round(seconds),
    reason: info.reason,
  };
  console.log(JSON.stringify(result));
}

async function runChild(
  backend: BackendName,
  threads: number,
): Promise<BackendResult | { skipped: BackendName; reason: string }> {
  const passOn = ['--images', String(images), ...(option('data') ? ['--data', fashionDir] : [])];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, ...passOn, '--child', backend, '--threads', String(threads)],
    { maxBuffer: 1 << 20, timeout: 30 * 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}

async function main(): Promise<void> {
  const { set, source } = await loadImages();
  console.log(
    `keras-cifar-cnn, ${size}×${size}×1, batch ${batchSize}, ${set.count} ${source} images, ${cores} cores`,
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'prunelab-bench-train-'));
  const results: BackendResult[] = [];
  const skipped: { backend: BackendName; reason: string }[] = [];
  const torch: Awaited<ReturnType<typeof measureTorch>>[] = [];
  const record = (r: BackendResult | { skipped: BackendName; reason: string }) => {
    if ('skipped' in r) {
      skipped.push({ backend: r.skipped, reason: r.reason });
      console.log(`${r.skipped}: not available (${r.reason})`);
    } else {
      results.push(r);
      console.log(
        `${r.backend}, ${r.threads} thread(s): ${r.imagesPerSecond} images/s over ${r.images} images (${r.reason})`,
      );
    }
  };
  try {
    await writeFile(join(dataDir, 'images.u8'), set.images);
    await writeFile(join(dataDir, 'labels.u8'), Uint8Array.from(set.labels));
    record(await runChild('tensorflow', 1));
    // wasm and PyTorch alternate per thread count, so each pair sees about the same machine load
    for (const threads of [...new Set([1, cores])]) {
      record(await runChild('wasm', threads));
      const t = await measureTorch(dataDir, set.count, threads);
      torch.push(t);
      console.log(
        'error' in t
          ? `torch, ${threads} thread(s): ${t.error}`
          : `torch, ${threads} thread(s): ${round(t.imagesPerSecond)} images/s`,
      );
    }
    record(await runChild('cpu', 1));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  const torchOk = torch.filter(
    (t): t is { threads: number; imagesPerSecond: number; seconds: number } => !('error' in t),
  );
  const best = <T extends { imagesPerSecond: number }>(list: T[]) =>
    list.reduce<T | undefined>((a, b) => (a && a.imagesPerSecond >= b.imagesPerSecond ? a : b), undefined);
  const torchBest = best(torchOk);
  const wasmBest = best(results.filter((r) => r.backend === 'wasm'));
  const pair = (threads: number) => {
    const w = results.find((r) => r.backend === 'wasm' && r.threads === threads);
    const t = torchOk.find((r) => r.threads === threads);
    return w && t ? Math.round((w.imagesPerSecond / t.imagesPerSecond) * 100) / 100 : null;
  };
  console.log(
    JSON.stringify({
      results: results.map(({ reason: _reason, ...r }) => r),
      torchImagesPerSecond: torchBest ? round(torchBest.imagesPerSecond) : null,
      torchThreads: torchBest?.threads ?? null,
      torch: torch.map((t) =>
        'error' in t ? t : { threads: t.threads, imagesPerSecond: round(t.imagesPerSecond) },
      ),
      wasmVsTorch: {
        sameThreads1: pair(1),
        [`sameThreads${cores}`]: pair(cores),
        best:
          wasmBest && torchBest
            ? Math.round((wasmBest.imagesPerSecond / torchBest.imagesPerSecond) * 100) / 100
            : null,
      },
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
