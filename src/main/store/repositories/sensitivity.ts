// Sensitivity curves: accuracy and loss of each layer pruned alone at each sparsity. One row per layer,
// kept in the order the task reported them.
import type { SensitivityCurve } from '../../../shared/dto';
import type { Db } from '../db';
import { forRun } from '../errors';
import { fromJson, toJson } from '../json';

interface CurveRow {
  run_id: string;
  layer: string;
  position: number;
  sparsities_json: string;
  accuracies_json: string;
  losses_json: string;
}

export function rowToCurve(row: CurveRow): SensitivityCurve {
  const where = `sensitivity_curves ${row.run_id}/${row.layer}`;
  return {
    layer: row.layer,
    sparsities: fromJson(row.sparsities_json, where),
    accuracies: fromJson(row.accuracies_json, where),
    losses: fromJson(row.losses_json, where),
  };
}

export interface SensitivityRepository {
  /** Saves one layer's curve (replacing an earlier curve of the same layer, keeping its place). */
  save(runId: string, curve: SensitivityCurve): void;
  list(runId: string): SensitivityCurve[];
}

export function createSensitivityRepository(db: Db): SensitivityRepository {
  const upsert = db.prepare<Omit<CurveRow, 'position'>>(`
    INSERT INTO sensitivity_curves (run_id, layer, position, sparsities_json, accuracies_json, losses_json)
    VALUES (@run_id, @layer,
      (SELECT coalesce(max(position) + 1, 0) FROM sensitivity_curves WHERE run_id = @run_id),
      @sparsities_json, @accuracies_json, @losses_json)
    ON CONFLICT (run_id, layer) DO UPDATE SET
      sparsities_json = excluded.sparsities_json, accuracies_json = excluded.accuracies_json,
      losses_json = excluded.losses_json`);
  const selectAll = db.prepare<[string], CurveRow>(
    `SELECT * FROM sensitivity_curves WHERE run_id = ? ORDER BY position`,
  );
  return {
    save(runId, curve) {
      // JSON keeps NaN out (it becomes null); a curve's accuracies are finite by construction.
      forRun(runId, () =>
        upsert.run({
          run_id: runId,
          layer: curve.layer,
          sparsities_json: toJson(curve.sparsities),
          accuracies_json: toJson(curve.accuracies),
          losses_json: toJson(curve.losses),
        }),
      );
    },
    list(runId) {
      return selectAll.all(runId).map(rowToCurve);
    },
  };
}
