// What bench:prune prints and writes: rows (mean ± std over seeds), the CSV of every cell, the plot's
// series, and the issue's goals, each met or missed with its numbers.
import { criteria } from '../src/shared/criteria';
import type { Criterion } from '../src/shared/dto';
import type { Cell } from './pruneCell';
import type { PlotSeries } from './prunePlot';
import type { StructuredResult } from './pruneStructured';
import { meanStd } from './stats';
import type { TorchResult } from './torchRun';

export interface Row {
  variant: string;
  criterion: Criterion;
  scoring: string;
  schedule: string;
  sparsity: number;
  mean: number;
  std: number;
  prunedMean: number;
  seeds: number;
}

export interface Goal {
  name: string;
  met: boolean;
  detail: string;
}

type Stats = { mean: number; std: number };

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const pp = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)} pp`;

/** One row per (variant, sparsity), in the order the cells ran. */
export function benchRows(cells: Cell[]): Row[] {
  const keys = [...new Set(cells.map((c) => `${c.variant}|${c.sparsity}`))];
  return keys.map((key) => {
    const mine = cells.filter((c) => `${c.variant}|${c.sparsity}` === key);
    const first = mine[0]!;
    const after = meanStd(mine.map((c) => c.accuracy));
    return {
      variant: first.variant,
      criterion: first.criterion as Criterion,
      scoring: first.scoring,
      schedule: first.schedule,
      sparsity: first.sparsity,
      mean: after.mean,
      std: after.std,
      prunedMean: meanStd(mine.map((c) => c.pruned)).mean,
      seeds: mine.length,
    };
  });
}

export function cellsCsv(cells: Cell[], dense: number[]): string {
  const lines = [
    'seed,variant,criterion,scoring,schedule,target_sparsity,achieved_sparsity,dense_accuracy,pruned_accuracy_2k,finetuned_accuracy,seconds',
  ];
  for (const c of cells) {
    lines.push(
      [
        c.seed,
        c.variant,
        c.criterion,
        c.scoring,
        c.schedule,
        c.sparsity,
        c.achieved.toFixed(6),
        dense[c.seed - 1]!.toFixed(4),
        c.pruned.toFixed(4),
        c.accuracy.toFixed(4),
        c.seconds.toFixed(1),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

const colors: Record<Criterion, string> = {
  taylor: '#d62728',
  gradient: '#ff7f0e',
  magnitude: '#1f77b4',
  random: '#7f7f7f',
  fisher: '#2ca02c',
  movement: '#9467bd',
  lamp: '#17becf',
};

export function plotSeries(rows: Row[], torch: TorchResult | null): PlotSeries[] {
  const variants = [...new Set(rows.map((r) => r.variant))];
  const series: PlotSeries[] = variants.map((variant) => {
    const mine = rows.filter((r) => r.variant === variant);
    return {
      // short enough for the legend: "taylor acc." (dashed: gradual), "lamp"
      name: variant
        .replace('/accumulated', ' acc.')
        .replace(/@gradual(:[\d.x]+)?/, '') // drawn dashed
        .replace(/@oneshot$/, ''),
      color: colors[mine[0]!.criterion],
      dashed: mine[0]!.schedule !== 'oneshot',
      points: mine.map((r) => ({ x: r.sparsity, mean: r.mean, std: r.std })),
    };
  });
  if (torch) {
    series.push({
      name: 'PyTorch global L1',
      color: '#000000',
      dashed: true,
      points: torch.rows
        .filter((r) => r.lrSchedule === 'constant')
        .map((r) => ({ x: r.sparsity, mean: r.mean, std: r.std })),
    });
  }
  return series;
}

const usesGradients = (r: Row) => criteria[r.criterion].usesGradients;

/** The best gradient-based row at a sparsity (highest mean), or undefined when none ran there. */
export function bestGradientRow(rows: Row[], sparsity: number): Row | undefined {
  return rows.filter((r) => r.sparsity === sparsity && usesGradients(r)).sort((a, b) => b.mean - a.mean)[0];
}

export interface GoalInput {
  dense: Stats;
  rows: Row[];
  torch: TorchResult | null;
  structured: StructuredResult[];
}

export function goalsOf({ dense, rows, torch, structured }: GoalInput): Goal[] {
  const goals: Goal[] = [];
  const levels = [...new Set(rows.filter(usesGradients).map((r) => r.sparsity))].sort();
  for (const sparsity of levels) {
    const best = bestGradientRow(rows, sparsity)!;
    const at = `${Math.round(sparsity * 100)}%`;
    const torchRow = torch?.rows.find((r) => r.sparsity === sparsity && r.lrSchedule === 'constant');
    if (torchRow) {
      goals.push({
        name: `best gradient ≥ PyTorch L1 at ${at}`,
        met: best.mean >= torchRow.mean,
        detail: `${best.variant} ${pct(best.mean)} vs PyTorch ${pct(torchRow.mean)} (${pp(best.mean - torchRow.mean)})`,
      });
    }
    for (const baseline of ['magnitude', 'lamp'] as const) {
      const base = rows.find((r) => r.sparsity === sparsity && r.criterion === baseline);
      if (!base) continue;
      goals.push({
        name: `best gradient ≥ ${baseline} at ${at}`,
        met: best.mean >= base.mean,
        detail: `${best.variant} ${pct(best.mean)} vs ${base.variant} ${pct(base.mean)} (${pp(best.mean - base.mean)})`,
      });
    }
    const allowed = sparsity === 0.9 ? 0.005 : sparsity === 0.95 ? 0.015 : null;
    if (allowed !== null) {
      goals.push({
        name: `at ${at} ≤ ${(allowed * 100).toFixed(1)} pp below dense`,
        met: best.mean >= dense.mean - allowed,
        detail: `${best.variant} ${pct(best.mean)} vs dense ${pct(dense.mean)} (${pp(best.mean - dense.mean)})`,
      });
    }
  }
  if (torch) {
    goals.push({
      name: 'our dense ≥ PyTorch dense − 0.3 pp',
      met: dense.mean >= torch.dense.mean - 0.003,
      detail: `${pct(dense.mean)} vs ${pct(torch.dense.mean)} (${pp(dense.mean - torch.dense.mean)})`,
    });
  }
  if (structured.length > 0) {
    const speed64 = meanStd(structured.map((s) => s.onnx.find((t) => t.batchSize === 64)!.speedup));
    const speed1 = meanStd(structured.map((s) => s.onnx.find((t) => t.batchSize === 1)!.speedup));
    const accuracy = meanStd(structured.map((s) => s.accuracy));
    goals.push({
      name: 'structured 50%: ONNX ≥ 1.8× faster at batch 64',
      met: speed64.mean >= 1.8,
      detail: `${speed64.mean.toFixed(2)}× ± ${speed64.std.toFixed(2)} (batch 1: ${speed1.mean.toFixed(2)}×)`,
    });
    goals.push({
      name: 'structured 50%: ≤ 2 pp below dense',
      met: accuracy.mean >= dense.mean - 0.02,
      detail: `${pct(accuracy.mean)} vs dense ${pct(dense.mean)} (${pp(accuracy.mean - dense.mean)})`,
    });
  }
  return goals;
}

export interface ReportInput {
  settings: { seeds: number; quick: boolean; backend: string; minutes: number; oursMinutes: number };
  dense: Stats;
  /** the dense model trained on for the fine-tune budget at the default gradual rate, nothing pruned */
  trainedOn: Stats | null;
  rows: Row[];
  torch: TorchResult | null;
  structured: StructuredResult[];
  goals: Goal[];
  files: string[];
}

/** The markdown table (rows × sparsity, PyTorch beside), the structured line and the goals, on stdout. */
export function printReport(r: ReportInput, print: (text: string) => void): void {
  const out: string[] = [];
  const sd = (s: Stats) => (r.settings.seeds > 1 ? ` ± ${(s.std * 100).toFixed(2)}` : '');
  out.push(
    `dense: ${pct(r.dense.mean)}${sd(r.dense)}${r.torch ? ` (PyTorch ${pct(r.torch.dense.mean)}${sd(r.torch.dense)})` : ''} — ${r.settings.seeds} seed${r.settings.seeds > 1 ? 's' : ''}, ${r.settings.backend}, ${r.settings.minutes.toFixed(1)} min (ours ${r.settings.oursMinutes.toFixed(1)}${r.torch ? `, PyTorch ${r.torch.minutes.toFixed(1)}` : ''})`,
  );
  if (r.trainedOn)
    out.push(
      `dense trained on for the fine-tune budget at the default gradual rate, nothing pruned: ${pct(r.trainedOn.mean)}${sd(r.trainedOn)}`,
    );
  out.push('');
  const levels = [...new Set(r.rows.map((x) => x.sparsity))].sort();
  out.push(`| criterion | ${levels.map((s) => `${Math.round(s * 100)}%`).join(' | ')} |`);
  out.push(`|---|${levels.map(() => '---').join('|')}|`);
  for (const variant of [...new Set(r.rows.map((x) => x.variant))]) {
    const cells = levels.map((s) => {
      const row = r.rows.find((x) => x.variant === variant && x.sparsity === s);
      return row ? `${pct(row.mean)}${sd(row)}` : '—';
    });
    out.push(`| ${variant} | ${cells.join(' | ')} |`);
  }
  if (r.torch) {
    const cells = levels.map((s) => {
      const row = r.torch!.rows.find((x) => x.sparsity === s && x.lrSchedule === 'constant');
      return row ? `${pct(row.mean)}${sd(row)}` : '—';
    });
    out.push(`| PyTorch global L1 | ${cells.join(' | ')} |`);
  }
  out.push('');
  for (const s of r.structured) {
    out.push(
      `structured seed ${s.seed}: ${pct(s.unitSparsity)} of units (${pct(s.weightSparsity)} of weights) removed by ${s.criterion} → ${pct(s.accuracy)}; ONNX ${s.onnx.map((t) => `batch ${t.batchSize}: ${t.baselineMs.toFixed(3)} → ${t.candidateMs.toFixed(3)} ms (${t.speedup.toFixed(2)}×)`).join(', ')}`,
    );
  }
  out.push('');
  out.push('Goals:');
  for (const g of r.goals) out.push(`  ${g.met ? 'met   ' : 'MISSED'} ${g.name}: ${g.detail}`);
  out.push(`files: ${r.files.join(', ')}`);
  print(out.join('\n'));
}
