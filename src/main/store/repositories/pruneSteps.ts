// Prune steps and their per-layer stats. A step and all its layers are written in ONE transaction; the
// mask bitmap is stored as a BLOB (base64 only on the DTO side). Recording a step also keeps the run's
// achieved sparsity current.
import type { LayerPruneReport, ModelTotals, PruneStepReport, ScoreHistogram } from '../../../shared/dto';
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
    mask: { rows: row.mask_rows, cols: row.mask_cols, bitsBase64: Buffer.from(row.mask).toString('base64') },
  };
}

export function rowToPruneStep(row: StepRow, layers: LayerPruneReport[]): PruneStepReport {
  return {
    step: row.step,
    atStep: row.at_step,
    targetSparsity: row.target_sparsity,
    achievedSparsity: row.achieved_sparsity,
    layers,
    totals: fromJson<ModelTotals>(row.totals_json, `prune_steps ${row.run_id}/${row.step}`),
  };
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
    INSERT INTO prune_steps (run_id, step, at_step, target_sparsity, achieved_sparsity, totals_json)
    VALUES (@run_id, @step, @at_step, @target_sparsity, @achieved_sparsity, @totals_json)`);
  const insertLayer = db.prepare<LayerRow>(`
    INSERT INTO prune_layers (run_id, step, position, name, weights, kept, sparsity, threshold, histogram_json,
      mask_rows, mask_cols, mask)
    VALUES (@run_id, @step, @position, @name, @weights, @kept, @sparsity, @threshold, @histogram_json,
      @mask_rows, @mask_cols, @mask)`);
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
