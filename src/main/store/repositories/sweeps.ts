// Sweeps: one request expanded into a grid of runs. The store keeps the request as sent so a sweep can be
// shown (and re-run) later; its runs point at it through runs.sweep_id.
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { IdGenerator } from '../ids';
import { isForeignKeyError, notFound } from '../errors';
import { fromJson, toJson } from '../json';

export interface SweepRecord {
  id: string;
  name: string;
  datasetId: string;
  /** The parsed `runs.sweep` payload. */
  request: unknown;
  createdAt: string;
}

interface SweepRow {
  id: string;
  name: string;
  dataset_id: string;
  request_json: string;
  created_at: string;
}

export function rowToSweep(row: SweepRow): SweepRecord {
  return {
    id: row.id,
    name: row.name,
    datasetId: row.dataset_id,
    request: fromJson<unknown>(row.request_json, `sweeps ${row.id}`),
    createdAt: row.created_at,
  };
}

export interface SweepsRepository {
  create(input: { id?: string; name: string; datasetId: string; request: unknown }): SweepRecord;
  get(id: string): SweepRecord | null;
  /** Newest first. */
  list(): SweepRecord[];
  /** Deletes the sweep; its runs stay, with sweepId cleared. */
  remove(id: string): boolean;
}

export function createSweepsRepository(db: Db, clock: Clock, newId: IdGenerator): SweepsRepository {
  const insert = db.prepare<SweepRow>(`
    INSERT INTO sweeps (id, name, dataset_id, request_json, created_at)
    VALUES (@id, @name, @dataset_id, @request_json, @created_at)`);
  const selectOne = db.prepare<[string], SweepRow>(`SELECT * FROM sweeps WHERE id = ?`);
  const selectAll = db.prepare<[], SweepRow>(`SELECT * FROM sweeps ORDER BY created_at DESC, rowid DESC`);
  const deleteOne = db.prepare<[string]>(`DELETE FROM sweeps WHERE id = ?`);
  return {
    create(input) {
      const row: SweepRow = {
        id: input.id ?? newId(),
        name: input.name,
        dataset_id: input.datasetId,
        request_json: toJson(input.request),
        created_at: clock().toISOString(),
      };
      try {
        insert.run(row);
      } catch (err) {
        if (isForeignKeyError(err)) throw notFound('dataset', input.datasetId);
        throw err;
      }
      return rowToSweep(row);
    },
    get(id) {
      const row = selectOne.get(id);
      return row ? rowToSweep(row) : null;
    },
    list() {
      return selectAll.all().map(rowToSweep);
    },
    remove(id) {
      return deleteOne.run(id).changes > 0;
    },
  };
}
