// openStore: the database plus its repositories — the one object services use to read and write history.
// Factories only: nothing is opened at import time.
import type { RunDetail } from '../../shared/dto';
import { systemClock, type Clock } from './clock';
import { openDb, type Db } from './db';
import { guardRepository, translateSqliteError } from './errors';
import { randomId, type IdGenerator } from './ids';
import { createArtifactsRepository, type ArtifactsRepository } from './repositories/artifacts';
import { createDatasetsRepository, type DatasetsRepository } from './repositories/datasets';
import { createEvaluationsRepository, type EvaluationsRepository } from './repositories/evaluations';
import { createJobsRepository, type JobsRepository } from './repositories/jobRecords';
import { createMetricsRepository, type MetricsRepository } from './repositories/metrics';
import { createPruneStepsRepository, type PruneStepsRepository } from './repositories/pruneSteps';
import { readRunDetail } from './repositories/runDetail';
import { createRunsRepository, type RunsRepository } from './repositories/runs';
import { defaultIsOwnerAlive, processStartToken, type IsOwnerAlive } from './processIdentity';
import { createSensitivityRepository, type SensitivityRepository } from './repositories/sensitivity';
import { createSettingsRepository, type SettingsRepository } from './repositories/settings';
import { createSweepsRepository, type SweepsRepository } from './repositories/sweeps';

export interface StoreOptions {
  /** Timestamps come from here (tests pass a fixed clock). */
  clock?: Clock;
  /** Ids for new rows (tests pass sequentialIds()). */
  newId?: IdGenerator;
  /** The process recorded as owner of the runs it queues or runs (default: this process). */
  pid?: number;
  /** That process's start-time token (default: read from the OS for `pid`). */
  processStarted?: string | null;
  /** Whether another run owner still runs (default: pid alive and the same start time). */
  isOwnerAlive?: IsOwnerAlive;
  busyTimeoutMs?: number;
}

export interface Store {
  readonly db: Db;
  readonly path: string;
  readonly datasets: DatasetsRepository;
  readonly runs: RunsRepository;
  readonly metrics: MetricsRepository;
  readonly pruneSteps: PruneStepsRepository;
  readonly evaluations: EvaluationsRepository;
  readonly sensitivity: SensitivityRepository;
  readonly artifacts: ArtifactsRepository;
  readonly settings: SettingsRepository;
  readonly sweeps: SweepsRepository;
  readonly jobs: JobsRepository;
  /** A fresh id (for a dataset or run created before its row is written). */
  newId(): string;
  /** The run with its full series, prune steps, evaluations, curves and artifacts — one consistent read. */
  runDetail(id: string): RunDetail | null;
  /** Runs several repository writes atomically. `fn` must be synchronous (no await inside). */
  transaction<T>(fn: () => T): T;
  /**
   * Startup recovery: runs left 'running' by a process that is gone become 'interrupted'. Returns their
   * ids. Call once when the services start, before starting jobs.
   */
  markInterruptedRuns(isOwnerAlive?: IsOwnerAlive): string[];
  close(): void;
}

function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw translateSqliteError(err);
  }
}

export function openStore(dbPath: string, options: StoreOptions = {}): Store {
  const db = openDb(
    dbPath,
    options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs },
  );
  const clock = options.clock ?? systemClock;
  const newId = options.newId ?? randomId;
  const pid = options.pid ?? process.pid;
  const owner = {
    pid,
    started: options.processStarted !== undefined ? options.processStarted : processStartToken(pid),
  };
  const isOwnerAlive = options.isOwnerAlive ?? defaultIsOwnerAlive;

  // Every repository method turns database refusals (busy, disk full, read-only, corrupt) into STORE errors.
  const metrics = guardRepository(createMetricsRepository(db));
  const datasets = guardRepository(createDatasetsRepository(db));
  const runs = guardRepository(createRunsRepository(db, { clock, newId, owner, isOwnerAlive }));
  const pruneSteps = guardRepository(createPruneStepsRepository(db));
  const evaluations = guardRepository(createEvaluationsRepository(db, clock));
  const sensitivity = guardRepository(createSensitivityRepository(db));
  const artifacts = guardRepository(createArtifactsRepository(db, clock, newId));
  const settings = guardRepository(createSettingsRepository(db));
  const sweeps = guardRepository(createSweepsRepository(db, clock, newId));
  const jobs = guardRepository(createJobsRepository(db, clock, newId));
  const sources = { runs, metrics, pruneSteps, evaluations, sensitivity, artifacts, datasets };
  // A deferred transaction around the reads gives them one snapshot, even with a writer in another process.
  const detailTx = db.transaction((id: string) => readRunDetail(sources, id));

  return {
    db,
    path: dbPath,
    datasets,
    runs,
    metrics,
    pruneSteps,
    evaluations,
    sensitivity,
    artifacts,
    settings,
    sweeps,
    jobs,
    newId,
    runDetail: (id) => guarded(() => detailTx(id)),
    transaction: (fn) => guarded(() => db.transaction(fn)()),
    markInterruptedRuns: (alive = isOwnerAlive) => runs.markInterrupted(alive),
    close: () => {
      if (!db.open) return;
      // SQLite's advice for long-lived connections: let it refresh planner statistics where they matter.
      // Best effort: a lock held by another process must not keep the file open.
      try {
        db.pragma('optimize');
      } catch {
        // statistics stay as they were
      }
      db.close();
    },
  };
}

export { openDb, type Db } from './db';
export { migrate, migrations, latestVersion } from './migrations';
export { randomId, sequentialIds, type IdGenerator } from './ids';
export {
  currentProcessIdentity,
  defaultIsOwnerAlive,
  processStartToken,
  type IsOwnerAlive,
  type ProcessIdentity,
} from './processIdentity';
export type { Clock } from './clock';
export { isLowerBetter } from '../../shared/bestMetric';
export { defaultSettings } from './repositories/settings';
export type { DatasetsRepository } from './repositories/datasets';
export type { RunsRepository, NewRun, RunFilter, RunCheckpoint, RunState } from './repositories/runs';
export type {
  MetricsRepository,
  EpochMetrics,
  MetricValue,
  MetricSummary,
  MetricPhase,
} from './repositories/metrics';
export type { PruneStepsRepository } from './repositories/pruneSteps';
export type { EvaluationsRepository, EvaluationWhich } from './repositories/evaluations';
export type { SensitivityRepository } from './repositories/sensitivity';
export type { ArtifactsRepository, NewArtifact } from './repositories/artifacts';
export type { SettingsRepository } from './repositories/settings';
export type { SweepsRepository, SweepRecord } from './repositories/sweeps';
export type { JobsRepository, JobRecord } from './repositories/jobRecords';
