// Sweeps: how many runs a grid queues, and how to summarise repeated seeds as mean ± spread.
import { parseSparsityText } from '../../shared/sparsity';
import type { RunSummary } from '../../shared/dto';

export function sweepSize(criteria: number, sparsities: number, seeds: number, schedules = 1): number {
  return criteria * sparsities * seeds * schedules;
}

/** Parses "0.5, 0.8 0.9" or "50%, 80%" into fractions; returns null with the offending token on bad input. */
export function parseFractions(text: string): { values: number[] } | { error: string } {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  const values: number[] = [];
  for (const t of tokens) {
    const parsed = parseSparsityText(t);
    if ('error' in parsed) return parsed;
    values.push(parsed.value);
  }
  return { values: [...new Set(values)] };
}

export function parseSeeds(text: string): { values: number[] } | { error: string } {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  const values: number[] = [];
  for (const t of tokens) {
    const range = /^(\d+)-(\d+)$/.exec(t);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a || b - a > 9) return { error: `"${t}": a range covers at most 10 seeds` };
      for (let s = a; s <= b; s++) values.push(s);
      continue;
    }
    const v = Number(t);
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1)
      return { error: `"${t}" is not a seed (a whole number ≥ 0)` };
    values.push(v);
  }
  return { values: [...new Set(values)] };
}

export interface MeanSpread {
  mean: number;
  /** sample standard deviation (0 for one value) */
  spread: number;
  n: number;
}

export function meanSpread(values: number[]): MeanSpread | null {
  const v = values.filter(Number.isFinite);
  if (!v.length) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.length > 1 ? v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1) : 0;
  return { mean, spread: Math.sqrt(variance), n: v.length };
}

export interface SweepGroup {
  key: string;
  label: string;
  runIds: string[];
  accuracy: MeanSpread | null;
  sparsity: MeanSpread | null;
}

/** Groups runs of the same sweep that differ only in their seed. Runs outside a sweep are left out. */
export function sweepGroups(runs: RunSummary[]): SweepGroup[] {
  const groups = new Map<string, RunSummary[]>();
  for (const run of runs) {
    if (!run.sweepId) continue;
    const cfg = structuredClone(run.config);
    cfg.train.seed = 0;
    const key = `${run.sweepId}|${JSON.stringify(cfg)}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.entries()]
    .filter(([, members]) => members.length > 1)
    .map(([key, members]) => {
      const p = members[0]?.config.prune;
      const target = p
        ? p.target.kind === 'sparsity'
          ? `${Math.round(p.target.value * 100)}%`
          : `θ=${p.target.value}`
        : '';
      return {
        key,
        label: p ? `${p.criterion} · ${target} · ${p.schedule.kind}` : 'dense',
        runIds: members.map((r) => r.id),
        accuracy: meanSpread(members.map((r) => r.testAccuracy ?? NaN)),
        sparsity: meanSpread(members.map((r) => r.sparsity ?? NaN)),
      };
    });
}
