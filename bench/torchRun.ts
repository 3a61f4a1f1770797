// PyTorch beside PruneLab in the same bench run: bench/torch_prune.py on Debian's python3-torch
// (scripts/bench-deps.mjs installs it), the same protocol; its stderr lines go to the log as they come.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { meanStd } from './stats';

export interface TorchRow {
  criterion: string;
  schedule: string;
  lrSchedule: string;
  sparsity: number;
  mean: number;
  std: number;
}

export interface TorchResult {
  dense: { mean: number; std: number };
  rows: TorchRow[];
  minutes: number;
}

/** One seed of torch_prune.py: its dense accuracy and fine-tuned cells. */
export interface TorchSeed {
  seed: number;
  dense: number;
  cells: { sparsity: number; lrSchedule: string; pruned: number; accuracy: number }[];
  minutes: number;
}

export interface TorchOptions {
  seed: number;
  trainImages: number;
  denseEpochs: number;
  finetuneEpochs: number;
  sparsities: number[];
  data: string;
  log: (line: string) => void;
}

const PYTHON = '/usr/bin/python3';

/** Runs torch_prune.py for one seed (the bench interleaves it with its own seeds). */
export async function runTorchSeed(o: TorchOptions): Promise<TorchSeed> {
  if (!existsSync(PYTHON))
    throw new Error(`${PYTHON} is missing: apt-get install python3-torch (or run with --no-torch)`);
  const started = performance.now();
  const argv = [
    join(import.meta.dirname, 'torch_prune.py'),
    '--data',
    o.data,
    '--first-seed',
    String(o.seed),
    '--seeds',
    '1',
    '--train-images',
    String(o.trainImages),
    '--dense-epochs',
    String(o.denseEpochs),
    '--finetune-epochs',
    String(o.finetuneEpochs),
    '--sparsities',
    o.sparsities.join(','),
  ];
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(PYTHON, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) o.log(`  ${line}`);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`torch_prune.py exited with ${code}: ${pending}`)),
    );
  });
  const last = stdout.trim().split('\n').pop()!;
  const parsed = JSON.parse(last) as { dense: { mean: number }; cells: TorchSeed['cells'] };
  return {
    seed: o.seed,
    dense: parsed.dense.mean,
    cells: parsed.cells,
    minutes: (performance.now() - started) / 60_000,
  };
}

/** Mean ± std over the seeds run so far. */
export function torchResult(seeds: TorchSeed[]): TorchResult {
  const cells = seeds.flatMap((s) => s.cells);
  const keys = [...new Set(cells.map((c) => `${c.sparsity}|${c.lrSchedule}`))];
  return {
    dense: meanStd(seeds.map((s) => s.dense)),
    rows: keys.map((key) => {
      const mine = cells.filter((c) => `${c.sparsity}|${c.lrSchedule}` === key);
      return {
        criterion: 'l1',
        schedule: 'oneshot',
        lrSchedule: mine[0]!.lrSchedule,
        sparsity: mine[0]!.sparsity,
        ...meanStd(mine.map((c) => c.accuracy)),
      };
    }),
    minutes: seeds.reduce((a, s) => a + s.minutes, 0),
  };
}
