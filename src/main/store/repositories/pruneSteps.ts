// Prune steps and their per-layer stats. A step and all its layers are written in ONE transaction; the
// mask bitmap is stored as a BLOB (base64 only on the DTO side). Recording a step also keeps the run's
// achieved sparsity current.
import type {
  AfterPruneMeasure,
  LayerPruneReport,
  MaskBitmap,
  ModelTotals,
  PruneStepReport,
  ScoreHistogram,
} from '../../../shared/dto';
import type { Db } from '../db';
import { forRun } from '../errors';
import { fromJson, realOrNaN, toJson } from '../json';

interface StepRow {
  run_id: string;
  step: number;
  at_step: number;
  target_sparsity: number;
  achieved_sparsity: number;
  totals_json: string;
  at_epoch: number | null;
  after_prune_json: string | null;
}

interface LayerRow {
  run_id: string;
  step: number;
  position: number;
  name: string;
  weights: number;
  kept: number;
  sparsity: number;
  threshold: number | null;
  histogram_json: string;
  mask_rows: number;
  mask_cols: number;
  mask: Buffer;
  kernel_height: number | null;
  kernel_width: number | null;
}

export function layerToRow(runId: string, step: number, position: number, l: LayerPruneReport): LayerRow {
  return {
    run_id: runId,
    step,
    position,
    name: l.name,
    weights: l.weights,
    kept: l.kept,
    sparsity: l.sparsity,
    threshold: Number.isNaN(l.threshold) ? null : l.threshold,
    histogram_json: toJson(l.histogram),
    mask_rows: l.mask.rows,
    mask_cols: l.mask.cols,
    mask: Buffer.from(l.mask.bitsBase64, 'base64'),
    kernel_height: l.mask.kernel?.[0] ?? null,
    kernel_width: l.mask.kernel?.[1] ?? null,
  };
}

export function rowToLayer(row: LayerRow): LayerPruneReport {
  return {
    name: row.name,
    weights: row.weights,
    kept: row.kept,
    sparsity: row.sparsity,
    threshold: realOrNaN(row.threshold),
    histogram: fromJson<ScoreHistogram>(
      row.histogram_json,
      `prune_layers ${row.run_id}/${row.step}/${row.name}`,
    ),
    mask: rowToMask(row),
  };
}

function rowToMask(row: LayerRow): MaskBitmap {
  const mask: MaskBitmap = {
    rows: row.mask_rows,
    cols: row.mask_cols,
    bitsBase64: Buffer.from(row.mask).toString('base64'),
  };
  if (row.kernel_height !== null && row.kernel_width !== null)
    mask.kernel = [row.kernel_height, row.kernel_width];
  return mask;
}

export function rowToPruneStep(row: StepRow, layers: LayerPruneReport[]): PruneStepReport {
  const where = `prune_steps ${row.run_id}/${row.step}`;
  const report: PruneStepReport = {
    step: row.step,
    atStep: row.at_step,
    targetSparsity: row.target_sparsity,
    achievedSparsity: row.achieved_sparsity,
    layers,
    totals: fromJson<ModelTotals>(row.totals_json, where),
  };
  // steps recorded before migration 4 have neither
  if (row.at_epoch !== null) report.atEpoch = row.at_epoch;
  if (row.after_prune_json !== null)
    report.afterPrune = fromJson<AfterPruneMeasure>(row.after_prune_json, where);
  return report;
}

export interface PruneStepsRepository {
  /** Records a step with all its layers (replacing a step of the same number, e.g. after a resume). */
  record(runId: string, report: PruneStepReport): void;
  /** Steps in order, each with its layers in reported order. */
  list(runId: string): PruneStepReport[];
  /** Forgets steps after `afterStep` (a resumed run will redo them). */
  truncate(runId: string, afterStep: number): void;
}

export function createPruneStepsRepository(db: Db): PruneStepsRepository {
  const deleteStep = db.prepare<[string, number]>(`DELETE FROM prune_steps WHERE run_id = ? AND step = ?`);
  const insertStep = db.prepare<StepRow>(`
    INSERT INTO prune_steps (run_id, step, at_step, target_sparsity, achieved_sparsity, totals_json, at_epoch,
      after_prune_json)
    VALUES (@run_id, @step, @at_step, @target_sparsity, @achieved_sparsity, @totals_json, @at_epoch,
      @after_prune_json)`);
  const insertLayer = db.prepare<LayerRow>(`
    INSERT INTO prune_layers (run_id, step, position, name, weights, kept, sparsity, threshold, histogram_json,
      mask_rows, mask_cols, mask, kernel_height, kernel_width)
    VALUES (@run_id, @step, @position, @name, @weights, @kept, @sparsity, @threshold, @histogram_json,
      @mask_rows, @mask_cols, @mask, @kernel_height, @kernel_width)`);
  const updateRunSparsity = db.prepare<[number, string]>(`UPDATE runs SET sparsity = ? WHERE id = ?`);
  const selectSteps = db.prepare<[string], StepRow>(
    `SELECT * FROM prune_steps WHERE run_id = ? ORDER BY step`,
  );
  const selectLayers = db.prepare<[string], LayerRow>(
    `SELECT * FROM prune_layers WHERE run_id = ? ORDER BY step, position`,
  );
  const deleteAfter = db.prepare<[string, number]>(`DELETE FROM prune_steps WHERE run_id = ? AND step > ?`);

  const recordTx = db.transaction((runId: string, r: PruneStepReport) => {
    deleteStep.run(runId, r.step);
    insertStep.run({
      run_id: runId,
      step: r.step,
      at_step: r.atStep,
      target_sparsity: r.targetSparsity,
      achieved_sparsity: r.achievedSparsity,
      totals_json: toJson(r.totals),
      at_epoch: r.atEpoch ?? null,
      after_prune_json: r.afterPrune ? toJson(r.afterPrune) : null,
    });
    r.layers.forEach((layer, position) => insertLayer.run(layerToRow(runId, r.step, position, layer)));
    updateRunSparsity.run(r.achievedSparsity, runId);
  });

  return {
    record(runId, report) {
      forRun(runId, () => recordTx(runId, report));
    },
    list(runId) {
      const layersByStep = new Map<number, LayerPruneReport[]>();
      for (const row of selectLayers.iterate(runId)) {
        let list = layersByStep.get(row.step);
        if (!list) layersByStep.set(row.step, (list = []));
        list.push(rowToLayer(row));
      }
      return selectSteps.all(runId).map((row) => rowToPruneStep(row, layersByStep.get(row.step) ?? []));
    },
    truncate(runId, afterStep) {
      deleteAfter.run(runId, afterStep);
    },
  };
}
