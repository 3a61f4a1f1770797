// Jobs: the job runner's queue as rows, so a job's input survives a crash and `jobs.list` can show what
// ran. Progress updates are cheap single-row writes; the runner decides how often to make them.
import type { ApiErrorData } from '../../../shared/errors';
import type { JobKind, JobStatus, JobSummary } from '../../../shared/dto';
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { IdGenerator } from '../ids';
import { forRun } from '../errors';
import { fromJson, fromJsonOrNull, toJson } from '../json';

interface JobRow {
  id: string;
  kind: JobKind;
  status: JobStatus;
  run_id: string | null;
  dataset_id: string | null;
  input_json: string;
  phase: string;
  done: number;
  total: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error_json: string | null;
}

export interface JobRecord extends JobSummary {
  input: unknown;
  createdAt: string;
  finishedAt: string | null;
  error: ApiErrorData | null;
}

export function rowToJob(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    runId: row.run_id,
    datasetId: row.dataset_id,
    phase: row.phase,
    done: row.done,
    total: row.total,
    startedAt: row.started_at,
    input: fromJson<unknown>(row.input_json, `jobs ${row.id}`),
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    error: fromJsonOrNull<ApiErrorData>(row.error_json, `jobs ${row.id}`),
  };
}

export interface JobsRepository {
  create(input: {
    id?: string;
    kind: JobKind;
    runId?: string | null;
    datasetId?: string | null;
    input: unknown;
  }): JobRecord;
  get(id: string): JobRecord | null;
  /** Unfinished jobs first (queued/running, oldest first), then the latest `recent` finished ones. */
  list(recent?: number): JobRecord[];
  setProgress(id: string, progress: { phase: string; done: number; total: number }): void;
  /** 'running' stamps startedAt; done/failed/cancelled stamp finishedAt and record the error. */
  setStatus(id: string, status: JobStatus, error?: ApiErrorData | null): void;
  /** Jobs a dead process left queued or running become failed; returns their ids. Call at startup. */
  failUnfinished(reason: string): string[];
}

export function createJobsRepository(db: Db, clock: Clock, newId: IdGenerator): JobsRepository {
  const now = () => clock().toISOString();
  const insert = db.prepare<JobRow>(`
    INSERT INTO jobs (id, kind, status, run_id, dataset_id, input_json, phase, done, total, created_at,
      started_at, finished_at, error_json)
    VALUES (@id, @kind, @status, @run_id, @dataset_id, @input_json, @phase, @done, @total, @created_at,
      @started_at, @finished_at, @error_json)`);
  const selectOne = db.prepare<[string], JobRow>(`SELECT * FROM jobs WHERE id = ?`);
  const selectOpen = db.prepare<[], JobRow>(
    `SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY created_at, rowid`,
  );
  const selectRecent = db.prepare<[number], JobRow>(`
    SELECT * FROM jobs WHERE status IN ('done', 'failed', 'cancelled') ORDER BY created_at DESC, rowid DESC
    LIMIT ?`);
  const updateProgress = db.prepare<[string, number, number, string]>(
    `UPDATE jobs SET phase = ?, done = ?, total = ? WHERE id = ?`,
  );
  const updateRunning = db.prepare<[string, string]>(
    `UPDATE jobs SET status = 'running', started_at = coalesce(started_at, ?) WHERE id = ?`,
  );
  const updateQueued = db.prepare<[string]>(`UPDATE jobs SET status = 'queued' WHERE id = ?`);
  const updateFinished = db.prepare<[JobStatus, string, string | null, string]>(
    `UPDATE jobs SET status = ?, finished_at = ?, error_json = ? WHERE id = ?`,
  );
  const failOpen = db.transaction((reason: string) => {
    const ids = selectOpen.all().map((r) => r.id);
    const at = now();
    const error = toJson({ code: 'INTERNAL', message: reason } satisfies ApiErrorData);
    for (const id of ids) updateFinished.run('failed', at, error, id);
    return ids;
  });

  return {
    create(input) {
      const row: JobRow = {
        id: input.id ?? newId(),
        kind: input.kind,
        status: 'queued',
        run_id: input.runId ?? null,
        dataset_id: input.datasetId ?? null,
        input_json: toJson(input.input),
        phase: '',
        done: 0,
        total: 0,
        created_at: now(),
        started_at: null,
        finished_at: null,
        error_json: null,
      };
      if (row.run_id === null) insert.run(row);
      else forRun(row.run_id, () => insert.run(row));
      return rowToJob(row);
    },
    get(id) {
      const row = selectOne.get(id);
      return row ? rowToJob(row) : null;
    },
    list(recent = 50) {
      return [...selectOpen.all(), ...selectRecent.all(recent)].map(rowToJob);
    },
    setProgress(id, p) {
      updateProgress.run(p.phase, p.done, p.total, id);
    },
    setStatus(id, status, error = null) {
      if (status === 'running') updateRunning.run(now(), id);
      else if (status === 'queued') updateQueued.run(id);
      else updateFinished.run(status, now(), error === null ? null : toJson(error), id);
    },
    failUnfinished(reason) {
      return failOpen(reason);
    },
  };
}
