// Metric series: one row per (run, phase, split, name, epoch), plus a per-series summary (best, final)
// refreshed in the same transaction as every write. Writes are batched: one transaction per call, nothing
// async inside.
import type { MetricBest, MetricSeries, MetricSplit } from '../../../shared/dto';
import type { Db } from '../db';
import { forRun, isForeignKeyError, notFound } from '../errors';
import { fromJson, realOrNaN } from '../json';
import { isLowerBetter, judgedPhase, summariseSeries } from '../../../shared/bestMetric';

export type MetricPhase = MetricSeries['phase'];

export interface MetricValue {
  split: MetricSplit;
  name: string;
  value: number;
}

/** What one epoch reports (the `run.epoch` event without its run id). */
export interface EpochMetrics {
  epoch: number;
  phase: MetricPhase;
  values: MetricValue[];
}

export interface MetricSummary {
  phase: MetricPhase;
  split: MetricSplit;
  name: string;
  lowerIsBetter: boolean;
  best: MetricBest | null;
  final: { value: number; epoch: number };
  count: number;
}

export interface MetricsRepository {
  /** Records one epoch's values (re-recording an epoch replaces its values). */
  append(runId: string, epoch: EpochMetrics): void;
  /** Records many epochs, possibly of many runs, in one transaction (batched progress persistence). */
  appendMany(entries: readonly ({ runId: string } & EpochMetrics)[]): void;
  /** Every series of a run: dense training first, then fine-tuning; epochs ascending. */
  series(runId: string): MetricSeries[];
  /** Best value and its epoch of one metric; phase defaults to the run's last phase that has it. */
  best(runId: string, split: MetricSplit, name: string, phase?: MetricPhase): MetricBest | null;
  /** Per-series summaries (best, final, direction, count) of many runs at once, every phase. */
  summaries(runIds: readonly string[]): Map<string, MetricSummary[]>;
  /**
   * Forgets what a resumed run will redo: values of `phase` after `afterEpoch`, and every value of a later
   * phase (resuming dense training invalidates fine-tuning).
   */
  truncate(runId: string, phase: MetricPhase, afterEpoch: number): void;
}

interface MetricRow {
  phase: MetricPhase;
  split: MetricSplit;
  name: string;
  epoch: number;
  value: number | null;
}

interface SummaryRow {
  run_id: string;
  phase: MetricPhase;
  split: MetricSplit;
  name: string;
  lower_is_better: 0 | 1;
  best_value: number | null;
  best_epoch: number | null;
  final_value: number | null;
  final_epoch: number;
  count: number;
}

/** The hot metric queries, exported so a test can EXPLAIN them. */
export const metricSql = {
  /** Every value of a run, in primary-key order (no sort step). */
  series: `SELECT phase, split, name, epoch, value FROM metrics WHERE run_id = ?
    ORDER BY phase, split, name, epoch`,
  /** One series of a run (summary refresh). */
  oneSeries: `SELECT epoch, value FROM metrics WHERE run_id = ? AND phase = ? AND split = ? AND name = ?
    ORDER BY epoch`,
  /** Summaries of a page of runs; the ids come bound as one JSON array. */
  summariesOf: `SELECT s.* FROM json_each(?) AS ids JOIN metric_summaries AS s ON s.run_id = ids.value`,
} as const;

const phaseOrder: Record<MetricPhase, number> = { train: 0, finetune: 1 };

export function rowToMetricSummary(row: SummaryRow): MetricSummary {
  return {
    phase: row.phase,
    split: row.split,
    name: row.name,
    lowerIsBetter: row.lower_is_better === 1,
    best:
      row.best_value === null || row.best_epoch === null
        ? null
        : { value: row.best_value, epoch: row.best_epoch },
    final: { value: realOrNaN(row.final_value), epoch: row.final_epoch },
    count: row.count,
  };
}

export function createMetricsRepository(db: Db): MetricsRepository {
  const upsertValue = db.prepare<[string, MetricPhase, MetricSplit, string, number, number | null]>(`
    INSERT INTO metrics (run_id, phase, split, name, epoch, value) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, phase, split, name, epoch) DO UPDATE SET value = excluded.value`);
  const selectKey = db.prepare<
    [string, MetricPhase, MetricSplit, string],
    { epoch: number; value: number | null }
  >(metricSql.oneSeries);
  const upsertSummary = db.prepare<SummaryRow>(`
    INSERT INTO metric_summaries
      (run_id, phase, split, name, lower_is_better, best_value, best_epoch, final_value, final_epoch, count)
    VALUES (@run_id, @phase, @split, @name, @lower_is_better, @best_value, @best_epoch, @final_value,
      @final_epoch, @count)
    ON CONFLICT (run_id, phase, split, name) DO UPDATE SET
      lower_is_better = excluded.lower_is_better, best_value = excluded.best_value,
      best_epoch = excluded.best_epoch, final_value = excluded.final_value,
      final_epoch = excluded.final_epoch, count = excluded.count`);
  const deleteSummary = db.prepare<[string, MetricPhase, MetricSplit, string]>(
    `DELETE FROM metric_summaries WHERE run_id = ? AND phase = ? AND split = ? AND name = ?`,
  );
  const selectSeries = db.prepare<[string], MetricRow>(metricSql.series);
  const selectRunSummaries = db.prepare<[string], SummaryRow>(
    `SELECT * FROM metric_summaries WHERE run_id = ? ORDER BY phase, split, name`,
  );
  const updateRunMetrics = db.prepare<[string, string]>(`UPDATE runs SET metrics_json = ? WHERE id = ?`);
  const selectSummariesOf = db.prepare<[string], SummaryRow>(metricSql.summariesOf);
  const selectKeysToTruncate = db.prepare<
    [string, MetricPhase, number, number],
    Omit<MetricRow, 'epoch' | 'value'>
  >(`
    SELECT DISTINCT phase, split, name FROM metrics
    WHERE run_id = ? AND ((phase = ? AND epoch > ?) OR (CASE phase WHEN 'train' THEN 0 ELSE 1 END) > ?)`);
  const deleteAfter = db.prepare<[string, MetricPhase, number, number]>(`
    DELETE FROM metrics
    WHERE run_id = ? AND ((phase = ? AND epoch > ?) OR (CASE phase WHEN 'train' THEN 0 ELSE 1 END) > ?)`);

  function refreshSummary(runId: string, phase: MetricPhase, split: MetricSplit, name: string): void {
    const points = selectKey.all(runId, phase, split, name);
    const lower = isLowerBetter(name);
    const { best, final } = summariseSeries(points, lower);
    if (!final) {
      deleteSummary.run(runId, phase, split, name);
      return;
    }
    upsertSummary.run({
      run_id: runId,
      phase,
      split,
      name,
      lower_is_better: lower ? 1 : 0,
      best_value: best?.value ?? null,
      best_epoch: best?.epoch ?? null,
      final_value: final.value,
      final_epoch: final.epoch,
      count: points.length,
    });
  }

  /** Rewrites the run's denormalised best/final (runs.metrics_json) from its summaries. */
  function refreshRunMetrics(runId: string): void {
    updateRunMetrics.run(
      encodeRunMetrics(bestAndFinal(selectRunSummaries.all(runId).map(rowToMetricSummary))),
      runId,
    );
  }

  const writeEpochs = db.transaction((entries: readonly ({ runId: string } & EpochMetrics)[]) => {
    const touched = new Map<string, [string, MetricPhase, MetricSplit, string]>();
    for (const e of entries) {
      for (const v of e.values) {
        upsertValue.run(e.runId, e.phase, v.split, v.name, e.epoch, Number.isNaN(v.value) ? null : v.value);
        touched.set(JSON.stringify([e.runId, e.phase, v.split, v.name]), [e.runId, e.phase, v.split, v.name]);
      }
    }
    const runs = new Set<string>();
    for (const key of touched.values()) {
      refreshSummary(...key);
      runs.add(key[0]);
    }
    for (const runId of runs) refreshRunMetrics(runId);
  });

  const truncateTx = db.transaction((runId: string, phase: MetricPhase, afterEpoch: number) => {
    const rank = phaseOrder[phase];
    const keys = selectKeysToTruncate.all(runId, phase, afterEpoch, rank);
    deleteAfter.run(runId, phase, afterEpoch, rank);
    for (const k of keys) refreshSummary(runId, k.phase, k.split, k.name);
    refreshRunMetrics(runId);
  });

  const runExists = db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM runs WHERE id = ?`);
  /** A batch naming a missing run fails whole, and says which run. */
  function withKnownRuns(entries: readonly { runId: string }[], write: () => void): void {
    try {
      write();
    } catch (err) {
      if (!isForeignKeyError(err)) throw err;
      const missing = entries.find((e) => !runExists.get(e.runId));
      throw missing ? notFound('run', missing.runId) : err;
    }
  }

  return {
    append(runId, epoch) {
      forRun(runId, () => writeEpochs([{ runId, ...epoch }]));
    },
    appendMany(entries) {
      if (entries.length > 0) withKnownRuns(entries, () => writeEpochs(entries));
    },
    series(runId) {
      const out: MetricSeries[] = [];
      let current: MetricSeries | null = null;
      for (const row of selectSeries.iterate(runId)) {
        if (
          !current ||
          current.phase !== row.phase ||
          current.split !== row.split ||
          current.name !== row.name
        ) {
          current = { name: row.name, split: row.split, phase: row.phase, epochs: [], values: [] };
          out.push(current);
        }
        current.epochs.push(row.epoch);
        current.values.push(realOrNaN(row.value));
      }
      // Rows come in primary-key order ('finetune' < 'train'); show dense training first. sort is stable.
      return out.sort((a, b) => phaseOrder[a.phase] - phaseOrder[b.phase]);
    },
    best(runId, split, name, phase) {
      const rows = selectRunSummaries
        .all(runId)
        .filter((r) => r.split === split && r.name === name && (phase === undefined || r.phase === phase))
        .sort((a, b) => phaseOrder[b.phase] - phaseOrder[a.phase]);
      const row = rows[0];
      return row ? rowToMetricSummary(row).best : null;
    },
    summaries(runIds) {
      const out = new Map<string, MetricSummary[]>();
      if (runIds.length === 0) return out;
      for (const row of selectSummariesOf.iterate(JSON.stringify(runIds))) {
        let list = out.get(row.run_id);
        if (!list) out.set(row.run_id, (list = []));
        list.push(rowToMetricSummary(row));
      }
      return out;
    },
    truncate(runId, phase, afterEpoch) {
      truncateTx(runId, phase, afterEpoch);
    },
  };
}

/**
 * RunSummary.best / .final, keyed `${split}.${name}`: per metric, the phase the run is judged on
 * (shared/bestMetric.ts: its last phase, fine-tuning over dense training).
 */
export function bestAndFinal(summaries: readonly MetricSummary[]): RunMetrics {
  const byKey = new Map<string, MetricSummary[]>();
  for (const s of summaries) {
    const key = `${s.split}.${s.name}`;
    byKey.set(key, [...(byKey.get(key) ?? []), s]);
  }
  const best: Record<string, MetricBest> = {};
  const final: Record<string, number> = {};
  for (const [key, list] of byKey) {
    const phase = judgedPhase(list.map((s) => s.phase));
    const s = list.find((x) => x.phase === phase)!;
    if (s.best) best[key] = s.best;
    final[key] = s.final.value;
  }
  return { best, final };
}

export interface RunMetrics {
  best: Record<string, MetricBest>;
  final: Record<string, number>;
}

/** runs.metrics_json ⇐ best/final. NaN finals are written as null (JSON has no NaN). */
export function encodeRunMetrics(m: RunMetrics): string {
  return JSON.stringify(m, (_key, value: unknown) =>
    typeof value === 'number' && Number.isNaN(value) ? null : value,
  );
}

/** runs.metrics_json ⇒ best/final: null bests (all-NaN series) are left out, null finals read as NaN. */
export function decodeRunMetrics(text: string, where: string): RunMetrics {
  const raw = fromJson<{ best?: Record<string, MetricBest | null>; final?: Record<string, number | null> }>(
    text,
    where,
  );
  const best: Record<string, MetricBest> = {};
  const final: Record<string, number> = {};
  for (const [key, b] of Object.entries(raw.best ?? {})) if (b) best[key] = b;
  for (const [key, v] of Object.entries(raw.final ?? {})) final[key] = v === null ? Number.NaN : v;
  return { best, final };
}
