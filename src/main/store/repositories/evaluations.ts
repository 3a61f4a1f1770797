// Test-split evaluations: 'dense' (before pruning) and 'final'. Per-class metrics, the confusion matrix,
// the most confidently wrong predictions and the per-image classes are read whole, so they are JSON columns.
import type { EvaluationReport, PerClassMetrics, WrongPrediction } from '../../../shared/dto';
import type { Db } from '../db';
import type { Clock } from '../clock';
import { forRun, storeError } from '../errors';
import { fromJson, realOrNaN, toJson } from '../json';

export type EvaluationWhich = 'dense' | 'final';
type EvaluationSplit = NonNullable<EvaluationReport['split']>;

/** predictions_json (migration 3): every image's predicted and true class, in split order. */
interface PerImageClasses {
  predictions: number[];
  labels: number[];
}

interface EvaluationRow {
  run_id: string;
  which: EvaluationWhich;
  loss: number | null;
  accuracy: number | null;
  macro_f1: number | null;
  balanced_accuracy: number | null;
  per_class_json: string;
  confusion_json: string;
  wrong_json: string;
  created_at: string;
  split: EvaluationSplit | null;
  predictions_json: string | null;
}

const nanToNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

export function evaluationToRow(
  runId: string,
  which: EvaluationWhich,
  r: EvaluationReport,
  at: string,
): EvaluationRow {
  return {
    run_id: runId,
    which,
    loss: nanToNull(r.loss),
    accuracy: nanToNull(r.accuracy),
    macro_f1: nanToNull(r.macroF1),
    balanced_accuracy: nanToNull(r.balancedAccuracy),
    per_class_json: toJson(r.perClass),
    confusion_json: toJson(r.confusion),
    wrong_json: toJson(r.mostConfidentlyWrong),
    created_at: at,
    split: r.split ?? null,
    predictions_json: perImageJson(r),
  };
}

export function rowToEvaluation(row: EvaluationRow): EvaluationReport {
  const where = `evaluations ${row.run_id}/${row.which}`;
  return {
    loss: realOrNaN(row.loss),
    accuracy: realOrNaN(row.accuracy),
    macroF1: realOrNaN(row.macro_f1),
    balancedAccuracy: realOrNaN(row.balanced_accuracy),
    perClass: fromJson<PerClassMetrics[]>(row.per_class_json, where),
    confusion: fromJson<number[][]>(row.confusion_json, where),
    mostConfidentlyWrong: fromJson<WrongPrediction[]>(row.wrong_json, where),
    ...(row.split === null ? {} : { split: row.split }),
    ...readPerImage(row.predictions_json, where),
  };
}

function perImageJson(r: EvaluationReport): string | null {
  if (!r.predictions && !r.labels) return null;
  if (!r.predictions || !r.labels || r.predictions.length !== r.labels.length) {
    throw storeError('An evaluation needs predictions and labels of the same length, or neither.', {
      predictions: r.predictions?.length ?? null,
      labels: r.labels?.length ?? null,
    });
  }
  return toJson({ predictions: r.predictions, labels: r.labels } satisfies PerImageClasses);
}

function readPerImage(text: string | null, where: string): Partial<PerImageClasses> {
  if (text === null) return {};
  const value = fromJson<PerImageClasses>(text, where);
  if (
    !Array.isArray(value.predictions) ||
    !Array.isArray(value.labels) ||
    value.predictions.length !== value.labels.length
  ) {
    throw storeError(`Corrupt per-image classes in ${where}`, { where });
  }
  return { predictions: value.predictions, labels: value.labels };
}

export interface EvaluationsRepository {
  /** Saves (or replaces) the run's dense or final evaluation. */
  save(runId: string, which: EvaluationWhich, report: EvaluationReport): void;
  get(runId: string, which: EvaluationWhich): EvaluationReport | null;
}

export function createEvaluationsRepository(db: Db, clock: Clock): EvaluationsRepository {
  const upsert = db.prepare<EvaluationRow>(`
    INSERT INTO evaluations (run_id, which, loss, accuracy, macro_f1, balanced_accuracy, per_class_json,
      confusion_json, wrong_json, created_at, split, predictions_json)
    VALUES (@run_id, @which, @loss, @accuracy, @macro_f1, @balanced_accuracy, @per_class_json,
      @confusion_json, @wrong_json, @created_at, @split, @predictions_json)
    ON CONFLICT (run_id, which) DO UPDATE SET
      loss = excluded.loss, accuracy = excluded.accuracy, macro_f1 = excluded.macro_f1,
      balanced_accuracy = excluded.balanced_accuracy, per_class_json = excluded.per_class_json,
      confusion_json = excluded.confusion_json, wrong_json = excluded.wrong_json,
      created_at = excluded.created_at, split = excluded.split, predictions_json = excluded.predictions_json`);
  const selectOne = db.prepare<[string, EvaluationWhich], EvaluationRow>(
    `SELECT * FROM evaluations WHERE run_id = ? AND which = ?`,
  );
  return {
    save(runId, which, report) {
      forRun(runId, () => upsert.run(evaluationToRow(runId, which, report, clock().toISOString())));
    },
    get(runId, which) {
      const row = selectOne.get(runId, which);
      return row ? rowToEvaluation(row) : null;
    },
  };
}
