// Runs: rows ⇄ RunSummary, the filtered runs list (one query for the page + one for its metric
// summaries), status changes with their timestamps, and the bookkeeping a resume needs. A run queued or
// running belongs to one process (its owner lease: pid + start time); another PruneLab process on the
// same database cannot take it over while that owner lives, but can ask it to cancel the run.
import type {
  BackendInfo,
  RunConfig,
  RunKind,
  RunStatus,
  RunSummary,
  WeightEncoding,
} from '../../../shared/dto';
import { ApiError } from '../../../shared/errors';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { isForeignKeyError, notFound } from '../errors';
import type { IsOwnerAlive, ProcessIdentity } from '../processIdentity';
import type { IdGenerator } from '../ids';
import { fromJson, fromJsonOrNull, toJson } from '../json';
import { decodeRunMetrics, type MetricPhase } from './metrics';

interface RunRow {
  id: string;
  name: string;
  kind: RunKind;
  status: RunStatus;
  dataset_id: string;
  config_json: string;
  seed: number;
  backend_json: string | null;
  parent_run_id: string | null;
  sweep_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  sparsity: number | null;
  checkpoint_epoch: number | null;
  checkpoint_phase: MetricPhase | null;
  checkpoint_path: string | null;
  model_dir: string | null;
  owner_pid: number | null;
  owner_started: string | null;
}

/** A run row joined with what its summary shows from other tables. */
interface RunListRow extends Omit<
  RunRow,
  'checkpoint_epoch' | 'checkpoint_phase' | 'checkpoint_path' | 'model_dir' | 'owner_pid' | 'owner_started'
> {
  metrics_json: string;
  dataset_name: string;
  test_accuracy: number | null;
  /** The smallest model export: {"artifactId", "format", "encoding", "gzipBytes"}, or NULL. */
  smallest_export_json: string | null;
}

interface SmallestExport {
  artifactId: string;
  format: 'tfjs' | 'onnx';
  encoding: WeightEncoding | null;
  gzipBytes: number;
}

export interface NewRun {
  id?: string;
  name: string;
  kind: RunKind;
  config: RunConfig;
  /** Defaults to config.parentRunId. */
  parentRunId?: string | null;
  sweepId?: string | null;
}

export interface RunFilter {
  datasetId?: string;
  criterion?: string;
  status?: RunStatus;
  kind?: RunKind;
  sweepId?: string;
  parentRunId?: string;
  /** default 1000 */
  limit?: number;
  offset?: number;
}

export interface RunCheckpoint {
  epoch: number;
  phase: MetricPhase;
  path: string;
}

/** What the job runner needs to resume or chain a run, beyond its summary. */
export interface RunState {
  status: RunStatus;
  checkpoint: RunCheckpoint | null;
  modelDir: string | null;
  ownerPid: number | null;
  /** The owner's start-time token (processIdentity.ts); null when unknown. */
  ownerStarted: string | null;
}

export interface RunsRepository {
  create(input: NewRun): RunSummary;
  get(id: string): RunSummary | null;
  /** Newest first. Filters combine with AND. */
  list(filter?: RunFilter): RunSummary[];
  /**
   * Moves a run to `status`: 'running' stamps startedAt (first time only) and the owner process;
   * 'queued' clears finishedAt and error (resume) and takes the owner lease — atomically, and refused
   * with CONFLICT while another live process holds it; the rest stamp finishedAt, record `error` and end
   * the lease. Throws NOT_FOUND for an unknown run.
   */
  setStatus(id: string, status: RunStatus, options?: { error?: string | null }): RunSummary;
  setBackend(id: string, backend: BackendInfo): void;
  setCheckpoint(id: string, checkpoint: RunCheckpoint): void;
  setModelDir(id: string, modelDir: string): void;
  /** The achieved sparsity a task reports at the end (prune steps keep it current meanwhile). */
  setSparsity(id: string, sparsity: number): void;
  rename(id: string, name: string): void;
  state(id: string): RunState | null;
  /** The live process other than this one that holds the run's lease, or null. */
  foreignOwner(id: string): ProcessIdentity | null;
  /**
   * Asks the process that holds the run's lease (it runs or has queued the run) to cancel it; that
   * process polls `cancelRequested`. The request lasts until the run is queued again.
   */
  requestCancel(id: string): void;
  /** Which of these runs have been asked to stop. */
  cancelRequested(ids: readonly string[]): string[];
  /** Deletes the run and its series, steps, evaluations and artifact rows; children keep living, orphaned. */
  remove(id: string): boolean;
  /**
   * Runs left 'running' or 'queued' by a process that is gone become 'interrupted' (finishedAt stamped),
   * so they can be resumed. A run whose owner process is still alive (e.g. a CLI sweep next to the app)
   * is left alone. Returns their ids.
   */
  markInterrupted(isOwnerAlive?: IsOwnerAlive): string[];
}

export function rowToRunSummary(row: RunListRow): RunSummary {
  const { best, final } = decodeRunMetrics(row.metrics_json, `runs ${row.id}`);
  const smallest = fromJsonOrNull<SmallestExport>(row.smallest_export_json, `runs ${row.id}`);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.status,
    datasetId: row.dataset_id,
    datasetName: row.dataset_name,
    config: fromJson<RunConfig>(row.config_json, `runs ${row.id}`),
    seed: row.seed,
    backend: fromJsonOrNull<BackendInfo>(row.backend_json, `runs ${row.id}`),
    parentRunId: row.parent_run_id,
    sweepId: row.sweep_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    best,
    final,
    sparsity: row.sparsity,
    testAccuracy: row.test_accuracy,
    exportGzipBytes: smallest?.gzipBytes ?? null,
    smallestExport: smallest
      ? { artifactId: smallest.artifactId, format: smallest.format, encoding: smallest.encoding }
      : null,
  };
}

// Explicit columns: `r.*` would also compute the generated criterion column (two json_extract) per row.
const listSelect = `
  SELECT r.id, r.name, r.kind, r.status, r.dataset_id, r.config_json, r.seed, r.backend_json, r.parent_run_id,
    r.sweep_id, r.created_at, r.started_at, r.finished_at, r.error, r.sparsity, r.metrics_json,
    (SELECT d.name FROM datasets d WHERE d.id = r.dataset_id) AS dataset_name,
    (SELECT e.accuracy FROM evaluations e WHERE e.run_id = r.id AND e.which = 'final') AS test_accuracy,
    (SELECT json_object('artifactId', a.id, 'format', a.format, 'encoding', a.encoding, 'gzipBytes', a.gzip_bytes)
      FROM artifacts a WHERE a.run_id = r.id AND a.format <> 'dataset-png' ORDER BY a.gzip_bytes, a.rowid LIMIT 1)
      AS smallest_export_json
  FROM runs r`;

// Each filter is a fixed SQL fragment with a bound value; one statement per combination, prepared once.
const filterColumns = {
  datasetId: 'r.dataset_id',
  criterion: 'r.criterion',
  status: 'r.status',
  kind: 'r.kind',
  sweepId: 'r.sweep_id',
  parentRunId: 'r.parent_run_id',
} as const;
export type RunFilterKey = keyof typeof filterColumns;
type FilterKey = RunFilterKey;
export const runFilterKeys = Object.keys(filterColumns) as FilterKey[];
const filterKeys = runFilterKeys;

/** The runs-list query for a set of filters (named parameters: one per filter, @limit, @offset). */
export function runListSql(keys: readonly RunFilterKey[]): string {
  const where = keys.map((k) => `${filterColumns[k]} = @${k}`).join(' AND ');
  return `${listSelect} ${where ? `WHERE ${where}` : ''}
    ORDER BY r.created_at DESC, r.rowid DESC LIMIT @limit OFFSET @offset`;
}

export const terminalStatuses: readonly RunStatus[] = ['done', 'failed', 'cancelled', 'interrupted'];

export function createRunsRepository(
  db: Db,
  deps: { clock: Clock; newId: IdGenerator; owner: ProcessIdentity; isOwnerAlive: IsOwnerAlive },
): RunsRepository {
  const { clock, newId, owner: me, isOwnerAlive } = deps;
  const now = () => clock().toISOString();

  // A new run is queued, so it belongs to the process that creates it from the start.
  const insert = db.prepare(`
    INSERT INTO runs (id, name, kind, status, dataset_id, config_json, seed, parent_run_id, sweep_id, created_at,
      owner_pid, owner_started)
    VALUES (@id, @name, @kind, 'queued', @dataset_id, @config_json, @seed, @parent_run_id, @sweep_id, @created_at,
      @owner_pid, @owner_started)`);
  const selectOne = db.prepare<[string], RunListRow>(`${listSelect} WHERE r.id = ?`);
  const listStatements = new Map<string, ReturnType<Db['prepare']>>();
  const setRunning = db.prepare<[string, number, string | null, string]>(`
    UPDATE runs SET status = 'running', started_at = coalesce(started_at, ?), finished_at = NULL, error = NULL,
      owner_pid = ?, owner_started = ? WHERE id = ?`);
  // Queueing again takes the lease and ends any cancel request meant for the run's previous life.
  const setQueued = db.prepare<[number, string | null, string]>(
    `UPDATE runs SET status = 'queued', finished_at = NULL, error = NULL, owner_pid = ?, owner_started = ?,
       cancel_requested_at = NULL WHERE id = ?`,
  );
  const updateCancelRequest = db.prepare<[string, string]>(
    `UPDATE runs SET cancel_requested_at = ? WHERE id = ?`,
  );
  const selectCancelRequested = db.prepare<[string], { id: string }>(
    `SELECT id FROM runs WHERE cancel_requested_at IS NOT NULL AND id IN (SELECT value FROM json_each(?))`,
  );
  const setFinished = db.prepare<[RunStatus, string, string | null, string]>(
    `UPDATE runs SET status = ?, finished_at = ?, error = ?, owner_pid = NULL, owner_started = NULL WHERE id = ?`,
  );
  const selectOwner = db.prepare<
    [string],
    { status: RunStatus; owner_pid: number | null; owner_started: string | null }
  >(`SELECT status, owner_pid, owner_started FROM runs WHERE id = ?`);
  const updateBackend = db.prepare<[string, string]>(`UPDATE runs SET backend_json = ? WHERE id = ?`);
  const updateCheckpoint = db.prepare<[number, MetricPhase, string, string]>(
    `UPDATE runs SET checkpoint_epoch = ?, checkpoint_phase = ?, checkpoint_path = ? WHERE id = ?`,
  );
  const updateModelDir = db.prepare<[string, string]>(`UPDATE runs SET model_dir = ? WHERE id = ?`);
  const updateSparsity = db.prepare<[number, string]>(`UPDATE runs SET sparsity = ? WHERE id = ?`);
  const updateName = db.prepare<[string, string]>(`UPDATE runs SET name = ? WHERE id = ?`);
  const selectState = db.prepare<[string], RunRow>(`SELECT * FROM runs WHERE id = ?`);
  const deleteOne = db.prepare<[string]>(`DELETE FROM runs WHERE id = ?`);
  const datasetExists = db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM datasets WHERE id = ?`);
  const sweepExists = db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM sweeps WHERE id = ?`);
  const selectUnfinished = db.prepare<
    [],
    { id: string; status: RunStatus; owner_pid: number | null; owner_started: string | null }
  >(`SELECT id, status, owner_pid, owner_started FROM runs WHERE status IN ('running', 'queued')`);
  const interrupt = db.prepare<[string, string, string, RunStatus]>(
    `UPDATE runs SET status = 'interrupted', finished_at = ?, error = ?, owner_pid = NULL, owner_started = NULL
     WHERE id = ? AND status = ?`,
  );

  function listStatement(keys: FilterKey[]) {
    const cacheKey = keys.join(',');
    let stmt = listStatements.get(cacheKey);
    if (!stmt) {
      stmt = db.prepare(runListSql(keys));
      listStatements.set(cacheKey, stmt);
    }
    return stmt;
  }

  function get(id: string): RunSummary | null {
    const row = selectOne.get(id);
    return row ? rowToRunSummary(row) : null;
  }

  function mustChange(changes: number, id: string): void {
    if (changes === 0) throw notFound('run', id);
  }

  const isMe = (pid: number | null, started: string | null) => pid === me.pid && started === me.started;

  /** The row's owner when it is a live process other than this one. */
  function liveForeignOwner(
    row: { owner_pid: number | null; owner_started: string | null },
    alive: IsOwnerAlive = isOwnerAlive,
  ): ProcessIdentity | null {
    if (row.owner_pid === null || isMe(row.owner_pid, row.owner_started)) return null;
    return alive(row.owner_pid, row.owner_started)
      ? { pid: row.owner_pid, started: row.owner_started }
      : null;
  }

  const ownedElsewhere = (id: string, status: RunStatus, owner: ProcessIdentity) =>
    new ApiError({
      code: 'CONFLICT',
      message: `run ${id} is ${status} in another PruneLab process (pid ${owner.pid}); it belongs to that process until it ends`,
      details: { id, ownerPid: owner.pid },
    });

  // Check and take the lease under the write lock (IMMEDIATE), so two processes cannot both take it.
  const claimQueued = db.transaction((id: string) => {
    const row = selectOwner.get(id);
    if (!row) throw notFound('run', id);
    const owner = liveForeignOwner(row);
    if (owner) throw ownedElsewhere(id, row.status, owner);
    setQueued.run(me.pid, me.started, id);
  });

  const markInterruptedTx = db.transaction((alive: IsOwnerAlive) => {
    const at = now();
    const ids: string[] = [];
    for (const row of selectUnfinished.all()) {
      if (liveForeignOwner(row, alive)) continue;
      const why =
        row.status === 'running'
          ? 'PruneLab stopped while this run was running; resume it to continue'
          : 'the PruneLab process that queued this run stopped before it ran; resume it to start';
      interrupt.run(at, why, row.id, row.status);
      ids.push(row.id);
    }
    return ids;
  });

  return {
    create(input) {
      const id = input.id ?? newId();
      const parentRunId =
        input.parentRunId !== undefined ? input.parentRunId : (input.config.parentRunId ?? null);
      const sweepId = input.sweepId ?? null;
      try {
        insert.run({
          id,
          name: input.name,
          kind: input.kind,
          dataset_id: input.config.datasetId,
          config_json: toJson(input.config),
          seed: input.config.train.seed,
          parent_run_id: parentRunId,
          sweep_id: sweepId,
          created_at: now(),
          owner_pid: me.pid,
          owner_started: me.started,
        });
      } catch (err) {
        if (!isForeignKeyError(err)) throw err;
        // Say which reference is missing.
        if (!datasetExists.get(input.config.datasetId)) throw notFound('dataset', input.config.datasetId);
        if (parentRunId !== null && !selectState.get(parentRunId)) throw notFound('parent run', parentRunId);
        if (sweepId !== null && !sweepExists.get(sweepId)) throw notFound('sweep', sweepId);
        throw err;
      }
      const created = get(id);
      if (!created) throw new Error(`run ${id} vanished after insert`);
      return created;
    },
    get,
    list(filter = {}) {
      const keys = filterKeys.filter((k) => filter[k] !== undefined);
      const params: Record<string, unknown> = { limit: filter.limit ?? 1000, offset: filter.offset ?? 0 };
      for (const k of keys) params[k] = filter[k];
      return (listStatement(keys).all(params) as RunListRow[]).map(rowToRunSummary);
    },
    setStatus(id, status, options = {}) {
      const at = now();
      if (status === 'running') mustChange(setRunning.run(at, me.pid, me.started, id).changes, id);
      else if (status === 'queued') claimQueued.immediate(id);
      else mustChange(setFinished.run(status, at, options.error ?? null, id).changes, id);
      const run = get(id);
      if (!run) throw notFound('run', id);
      return run;
    },
    setBackend(id, backend) {
      mustChange(updateBackend.run(toJson(backend), id).changes, id);
    },
    setCheckpoint(id, c) {
      mustChange(updateCheckpoint.run(c.epoch, c.phase, c.path, id).changes, id);
    },
    setModelDir(id, modelDir) {
      mustChange(updateModelDir.run(modelDir, id).changes, id);
    },
    setSparsity(id, sparsity) {
      mustChange(updateSparsity.run(sparsity, id).changes, id);
    },
    rename(id, name) {
      mustChange(updateName.run(name, id).changes, id);
    },
    requestCancel(id) {
      mustChange(updateCancelRequest.run(now(), id).changes, id);
    },
    cancelRequested(ids) {
      if (ids.length === 0) return [];
      return selectCancelRequested.all(JSON.stringify(ids)).map((r) => r.id);
    },
    state(id) {
      const row = selectState.get(id);
      if (!row) return null;
      const checkpoint =
        row.checkpoint_epoch !== null && row.checkpoint_phase !== null && row.checkpoint_path !== null
          ? { epoch: row.checkpoint_epoch, phase: row.checkpoint_phase, path: row.checkpoint_path }
          : null;
      return {
        status: row.status,
        checkpoint,
        modelDir: row.model_dir,
        ownerPid: row.owner_pid,
        ownerStarted: row.owner_started,
      };
    },
    foreignOwner(id) {
      const row = selectOwner.get(id);
      return row ? liveForeignOwner(row) : null;
    },
    remove(id) {
      return deleteOne.run(id).changes > 0;
    },
    markInterrupted(alive = isOwnerAlive) {
      return markInterruptedTx(alive);
    },
  };
}
