// npm run bench:prune [-- --quick] — does gradient-based pruning beat magnitude pruning and PyTorch's recipe?
// The protocol (issue 11): full Fashion-MNIST (Debian's dataset-fashion-mnist, or --data <dir>), the
// keras-cifar-cnn preset, wasm backend. Per seed: dense 5 epochs (Adam 1e-3, batch 64) on the training
// images; then per cell a copy is pruned (global scope, every conv/dense kernel, 1% per-layer floor) and
// fine-tuned for 2 epochs over the same images — schedules that prune while training (gradual) do it inside
// those 2 epochs, so every cell has the same budget. Test accuracy over the whole 10k test split.
// Rows (bench/variant.ts syntax):
//   taylor/accumulated@gradual  the default: steps from the budget, a fine-tune from 5× the training rate
//                                decaying after the last prune step (bench/pruneSelect.ts)
//   gradient@oneshot                   PruneLab's original criterion, one shot
//   magnitude@oneshot, lamp@oneshot    the magnitude baselines (LAMP: the strong one for global scope); one-shot
//                                      rows fine-tune at the product default after a cut (2×, constant)
//   random@oneshot at --random-at only the sanity floor
// Beside them in the same run: PyTorch (bench/torch_prune.py, Debian's python3-torch; global L1 via
// torch.nn.utils.prune, the same network, data, batch, optimizer and protocol), and structured pruning:
// 50% of the filters/units with the default criterion, exported as ONNX and timed in onnxruntime-node
// against the dense export (median of warm runs at batch 64 and 1, interleaved). And the dense model
// trained on for the fine-tune budget at the default gradual rate with nothing pruned (bench/denseTrainedOn.ts):
// what the extra epochs alone give.
//   full:    3 seeds, 60k images, 90/95/98%          --quick: 1 seed, 20k images, 90/95%
// Overrides: --seeds N, --train-images N, --dense-epochs N, --finetune-epochs N, --sparsities 0.9,0.95,
// --rows v1,v2, --random-at S, --no-torch, --no-structured, --no-trained-on, --data <dir>, --out <dir>.
// Writes <out>/prune.csv, prune.svg, prune.png; prints the table and the goals; the last line is one JSON
// object {dense, denseTrainedOn, rows, torch, structured, goals, minutes}.
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../src/main/engine/backend';
import { createPreset } from '../src/main/engine/models';
import { measureOn } from '../src/main/engine/prune/sensitivity';
import { imageSubset } from '../src/main/engine/prune/subset';
import { trainModel } from '../src/main/engine/train/trainLoop';
import { loadIdxSplit } from './idxSplit';
import { accuracyPlotSvg } from './prunePlot';
import { benchRows, cellsCsv, goalsOf, plotSeries, printReport } from './pruneReport';
import { benchTrainConfig, pruneCell, type Cell } from './pruneCell';
import { structuredCell, type StructuredResult } from './pruneStructured';
import { denseTrainedOn } from './denseTrainedOn';
import { runTorchSeed, torchResult, type TorchSeed } from './torchRun';
import { meanStd } from './stats';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const numberOption = (name: string, fallback: number) => Number(option(name) ?? fallback);

const settings = {
  seeds: numberOption('seeds', quick ? 1 : 3),
  trainImages: numberOption('train-images', quick ? 20_000 : 60_000),
  denseEpochs: numberOption('dense-epochs', 5),
  finetuneEpochs: numberOption('finetune-epochs', 2),
  sparsities: (option('sparsities') ?? (quick ? '0.9,0.95' : '0.9,0.95,0.98')).split(',').map(Number),
  rows: (
    option('rows') ?? 'taylor/accumulated@gradual,gradient@oneshot,magnitude@oneshot,lamp@oneshot'
  ).split(','),
  randomAt: numberOption('random-at', 0.9),
  torch: !args.includes('--no-torch'),
  structured: !args.includes('--no-structured'),
  trainedOn: !args.includes('--no-trained-on'),
  structuredSparsity: 0.5,
  data: option('data') ?? '/usr/share/datasets/fashion-mnist',
  out: option('out') ?? join('bench', 'out', 'prune'),
};

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

async function main(): Promise<void> {
  const started = performance.now();
  const backend = await initBackend('wasm');
  log(`bench:prune ${quick ? '--quick ' : ''}on ${backend.name} (${backend.reason})`);
  log(JSON.stringify(settings));
  const fullTrain = await loadIdxSplit(settings.data, 'train');
  const test = await loadIdxSplit(settings.data, 't10k');
  const prunedCheck = imageSubset(test, 2_000, 7);
  const dense: number[] = [];
  const cells: Cell[] = [];
  const structured: StructuredResult[] = [];
  const trainedOn: number[] = [];
  const torchSeeds: TorchSeed[] = [];
  let oursMinutes = 0;
  const plan = [
    ...settings.rows.flatMap((variant) => settings.sparsities.map((sparsity) => ({ variant, sparsity }))),
    { variant: 'random@oneshot', sparsity: settings.randomAt },
  ];

  for (let seed = 1; seed <= settings.seeds; seed++) {
    const train = imageSubset(fullTrain, settings.trainImages, seed);
    const t0 = performance.now();
    const model = createPreset('keras-cifar-cnn', { inputShape: [28, 28, 1], classes: 10, seed });
    await trainModel({
      model,
      train,
      classes: 10,
      config: benchTrainConfig(seed, settings.denseEpochs),
      onEpoch: (e) =>
        log(
          `  seed ${seed} dense epoch ${e.epoch}: train acc ${pct(e.trainAccuracy)} (${e.seconds.toFixed(0)} s)`,
        ),
    });
    const denseAccuracy = (await measureOn(model, test, 10)).accuracy;
    dense.push(denseAccuracy);
    log(
      `seed ${seed}: dense test accuracy ${pct(denseAccuracy)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    const denseWeights = model.getWeights().map((w) => w.clone());

    for (const { variant, sparsity } of plan) {
      const cell = await pruneCell({
        variant,
        sparsity,
        seed,
        denseWeights,
        train,
        test,
        prunedCheck,
        finetuneEpochs: settings.finetuneEpochs,
      });
      cells.push(cell);
      log(
        `  ${variant.padEnd(36)} ${pct(sparsity).padStart(7)}: pruned ${pct(cell.pruned)} → fine-tuned ${pct(cell.accuracy)} (Δ ${((cell.accuracy - denseAccuracy) * 100).toFixed(2)} pp; ${cell.seconds.toFixed(0)} s)`,
      );
      log(
        `      per layer: ${cell.layers.map(([name, s]) => `${name} ${(s * 100).toFixed(1)}%`).join(', ')}`,
      );
    }
    if (settings.trainedOn) {
      const accuracy = await denseTrainedOn({
        denseWeights,
        seed,
        train,
        test,
        epochs: settings.finetuneEpochs,
      });
      trainedOn.push(accuracy);
      log(
        `  dense trained on for ${settings.finetuneEpochs} more epoch${settings.finetuneEpochs === 1 ? '' : 's'} at the default gradual fine-tune rate, nothing pruned: ${pct(accuracy)} (Δ ${((accuracy - denseAccuracy) * 100).toFixed(2)} pp)`,
      );
    }
    if (settings.structured) {
      const result = await structuredCell({
        model,
        denseWeights,
        seed,
        sparsity: settings.structuredSparsity,
        train,
        test,
        finetuneEpochs: settings.finetuneEpochs,
        denseAccuracy,
      });
      structured.push(result);
      log(
        `  structured ${pct(result.sparsity)} of units (${result.criterion}): ${pct(result.accuracy)} (Δ ${((result.accuracy - denseAccuracy) * 100).toFixed(2)} pp); ONNX ${result.onnx.map((t) => `batch ${t.batchSize} ${t.baselineMs.toFixed(2)} → ${t.candidateMs.toFixed(2)} ms (${t.speedup.toFixed(2)}×)`).join(', ')}`,
      );
    }
    tf.dispose(denseWeights);
    model.dispose();
    oursMinutes += (performance.now() - t0) / 60_000;
    if (settings.torch) {
      torchSeeds.push(
        await runTorchSeed({
          seed,
          trainImages: settings.trainImages,
          denseEpochs: settings.denseEpochs,
          finetuneEpochs: settings.finetuneEpochs,
          sparsities: settings.sparsities,
          data: settings.data,
          log,
        }),
      );
    }
    // every seed ends with the report so far: a long run that stops early still leaves its figures
    await report(seed < settings.seeds);
  }

  async function report(partial: boolean) {
    const torch = torchSeeds.length ? torchResult(torchSeeds) : null;
    const denseStats = meanStd(dense);
    const rows = benchRows(cells);
    const goals = goalsOf({ dense: denseStats, rows, torch, structured });
    await mkdir(settings.out, { recursive: true });
    await writeFile(join(settings.out, 'prune.csv'), cellsCsv(cells, dense));
    const seeds = dense.length;
    const svg = accuracyPlotSvg(
      `Fashion-MNIST, keras-cifar-cnn: ${seeds} seed${seeds > 1 ? 's' : ''}, prune + ${settings.finetuneEpochs} fine-tune epochs`,
      plotSeries(rows, torch),
      denseStats,
    );
    await writeFile(join(settings.out, 'prune.svg'), svg);
    await sharp(Buffer.from(svg)).png().toFile(join(settings.out, 'prune.png'));
    const minutes = (performance.now() - started) / 60_000;
    const print = partial ? log : (text: string) => process.stdout.write(`${text}\n`);
    if (partial) log(`--- after seed ${seeds} of ${settings.seeds} ---`);
    printReport(
      {
        settings: { seeds, quick, backend: backend.name, minutes, oursMinutes },
        dense: denseStats,
        trainedOn: trainedOn.length ? meanStd(trainedOn) : null,
        rows,
        torch,
        structured,
        goals,
        files: [join(settings.out, 'prune.csv'), join(settings.out, 'prune.png')],
      },
      print,
    );
    const json = {
      dense: denseStats,
      denseTrainedOn: trainedOn.length ? meanStd(trainedOn) : null,
      rows: rows.map(({ criterion, scoring, schedule, sparsity, mean, std }) => ({
        criterion,
        scoring,
        schedule,
        sparsity,
        mean,
        std,
      })),
      torch: torch ? { dense: torch.dense, rows: torch.rows, minutes: torch.minutes } : null,
      structured: structured.length
        ? {
            sparsity: settings.structuredSparsity,
            accuracy: meanStd(structured.map((s) => s.accuracy)),
            speedupBatch64: meanStd(structured.map((s) => s.onnx.find((t) => t.batchSize === 64)!.speedup)),
            speedupBatch1: meanStd(structured.map((s) => s.onnx.find((t) => t.batchSize === 1)!.speedup)),
          }
        : null,
      goals: goals.map(({ name, met }) => ({ name, met })),
      seeds,
      backend: backend.name,
      quick,
      minutes: Number(minutes.toFixed(2)),
    };
    await writeFile(join(settings.out, 'prune.json'), `${JSON.stringify(json)}\n`);
    print(JSON.stringify(json));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:prune failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
