// Connects the job runner to the store and the event bus: every task event is relayed to subscribers at
// once and persisted in batched transactions (one per flush interval, nothing async inside); a job's end
// writes its result and the run's status atomically. A run whose worker dies is marked failed with the
// reason; runs still going when the services close become 'interrupted' (resumable). Memory stays
// bounded whichever runner is used: at most `maxQueuedJobs` jobs wait or run (more is refused with a
// LIMIT error), and a finished job's result is let go once recorded (the newest few stay for late waiters).
import type { Events } from '../../shared/api';
import type { JobKind, JobSummary, RunStatus } from '../../shared/dto';
import type { ApiErrorData, ErrorCode } from '../../shared/errors';
import { ApiError, toErrorData } from '../../shared/errors';
import { jobLimits } from '../../shared/limits';
import type { TaskEvent } from '../engine/types';
import type { WorkerLauncher } from '../jobs/launcher';
import type { TaskName } from '../jobs/protocol';
import {
  createJobRunner,
  type JobOutcome,
  type JobRunner,
  type JobRunnerOptions,
  type JobSpec,
} from '../jobs/runner';
import type { Store } from '../store';
import type { EventBus } from './events';
import { workerErrorToData } from './errors';

export interface JobRequest {
  kind: JobKind;
  task: TaskName;
  input: unknown | (() => unknown);
  runId?: string | null;
  datasetId?: string | null;
  after?: string[];
  /**
   * Synchronous store writes for a successful result, run inside the job's final transaction. It may
   * name the artifact it recorded, the dataset an import turned out to duplicate, and work to do once
   * the transaction has committed (events, removing files).
   */
  onDone?: (result: unknown) => JobDoneNote | void;
}

export interface JobDoneNote {
  artifactId?: string | null;
  duplicateOf?: DuplicateOf;
  afterCommit?: () => void;
}

type DuplicateOf = NonNullable<Events['job.finished']['duplicateOf']>;

export interface JobResult {
  jobId: string;
  status: 'done' | 'failed' | 'cancelled';
  result: unknown;
  error: ApiErrorData | null;
  artifactId: string | null;
  /** An import that found its content already imported: the existing dataset. */
  duplicateOf?: DuplicateOf;
}

/**
 * The jobs that are a run's own work and so set its status. An export of a finished run is recorded with
 * the run (its progress names it) but never changes the run's status or its finishedAt.
 */
const runJobKinds: ReadonlySet<JobKind> = new Set(['train', 'prune', 'sensitivity']);
const drivesRun = (job: JobSpec): job is JobSpec & { runId: string } =>
  job.runId !== null && runJobKinds.has(job.kind);

export interface JobCoordinator {
  /** Queues a job; throws LIMIT when the queue is full. */
  submit(request: JobRequest): string;
  /**
   * Throws LIMIT unless `count` more jobs fit in the queue now — checked before a request writes
   * anything, so a sweep too large is refused whole. `what` names the request in the message.
   */
  ensureRoom(count: number, what: string): void;
  /** Settles when the job has ended and its outcome is in the store. */
  wait(jobId: string): Promise<JobResult>;
  cancel(jobId: string): boolean;
  jobOfRun(runId: string): string | undefined;
  list(): JobSummary[];
  setConcurrency(n: number): void;
  /** Writes everything pending now (tests and shutdown). */
  flush(): void;
  close(): Promise<void>;
}

export interface JobCoordinatorOptions {
  store: Store;
  bus: EventBus;
  launcher: WorkerLauncher;
  dataDir: string;
  concurrency: number;
  cancelGraceMs?: number;
  /** How often buffered progress is written (default 250 ms). */
  flushIntervalMs?: number;
  /** Jobs waiting or running at once (default jobLimits.maxQueuedJobs). */
  maxQueuedJobs?: number;
  /** Finished jobs whose result stays for a late `wait` (default jobLimits.keepFinishedJobs). */
  keepFinishedJobs?: number;
  /** How often the store is asked whether another process wants one of our runs stopped (default 1 s). */
  cancelPollMs?: number;
  /** Which runner carries the jobs: local worker processes (default) or a queue (src/main/jobs/queue). */
  createRunner?: (options: JobRunnerOptions) => JobRunner;
}

const failureCode: Record<JobKind, ErrorCode> = {
  import: 'IMPORT_FAILED',
  train: 'ENGINE',
  prune: 'ENGINE',
  sensitivity: 'ENGINE',
  export: 'ENGINE',
  'dataset-export': 'ENGINE',
};

export function createJobCoordinator(options: JobCoordinatorOptions): JobCoordinator {
  const { store, bus } = options;
  const flushIntervalMs = options.flushIntervalMs ?? 250;
  const maxQueuedJobs = options.maxQueuedJobs ?? jobLimits.maxQueuedJobs;
  const keepFinishedJobs = options.keepFinishedJobs ?? jobLimits.keepFinishedJobs;
  /** Jobs submitted and not yet recorded: what a job needs when it ends. */
  const requests = new Map<string, JobRequest>();
  /** The outcome of every job not yet recorded, for `wait`. */
  const results = new Map<string, Promise<JobResult>>();
  /** The newest recorded outcomes, oldest first, for a `wait` that comes after the end. */
  const recent = new Map<string, JobResult>();
  let pending: (() => void)[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let closing = false;

  function flush() {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (pending.length === 0) return;
    const writes = pending;
    pending = [];
    try {
      store.transaction(() => {
        for (const write of writes) write();
      });
    } catch (err) {
      console.error('could not persist job progress:', err);
    }
  }

  function later(write: () => void) {
    pending.push(write);
    flushTimer ??= setTimeout(flush, flushIntervalMs);
  }

  /** Where each job's current phase started (time, done), for a linear ETA. */
  const phaseStarts = new Map<string, { phase: string; at: number; done: number }>();

  function estimateEta(jobId: string, phase: string, done: number, total: number): number | null {
    const now = Date.now();
    const start = phaseStarts.get(jobId);
    if (!start || start.phase !== phase || done < start.done) {
      phaseStarts.set(jobId, { phase, at: now, done });
      return null;
    }
    const progressed = done - start.done;
    if (total <= 0 || progressed <= 0 || done >= total) return null;
    return Math.round((((now - start.at) / progressed) * (total - done)) / 1000);
  }

  function setRunStatus(runId: string, status: RunStatus, error: string | null = null) {
    store.runs.setStatus(runId, status, { error });
  }

  function emitRunStatus(runId: string, status: RunStatus, error: string | null = null) {
    bus.emit('run.status', { runId, status, error });
  }

  function onEvent(job: JobSpec, event: TaskEvent) {
    const runId = job.runId;
    switch (event.type) {
      case 'progress': {
        const data: Events['job.progress'] = {
          jobId: job.id,
          kind: job.kind,
          runId,
          datasetId: job.datasetId,
          phase: event.phase,
          done: event.done,
          total: event.total,
        };
        if (event.message !== undefined) data.message = event.message;
        const eta = estimateEta(job.id, event.phase, event.done, event.total);
        if (eta !== null) data.etaSeconds = eta;
        bus.emit('job.progress', data);
        return;
      }
      case 'backend':
        if (!runId) return;
        later(() => store.runs.setBackend(runId, event.backend));
        bus.emit('run.backend', { runId, backend: event.backend });
        return;
      case 'epoch':
        if (!runId) return;
        later(() =>
          store.metrics.append(runId, { epoch: event.epoch, phase: event.phase, values: event.values }),
        );
        bus.emit('run.epoch', { runId, epoch: event.epoch, phase: event.phase, values: event.values });
        return;
      case 'checkpoint':
        if (runId)
          later(() =>
            store.runs.setCheckpoint(runId, { epoch: event.epoch, phase: event.phase, path: event.path }),
          );
        return;
      case 'pruneStep':
        if (!runId) return;
        later(() => store.pruneSteps.record(runId, event.report));
        bus.emit('run.pruneStep', { runId, report: event.report });
        return;
      case 'evaluation':
        if (!runId) return;
        later(() => store.evaluations.save(runId, event.which, event.report));
        bus.emit('run.evaluation', { runId, which: event.which, report: event.report });
        return;
      case 'sensitivity':
        if (!runId) return;
        later(() => store.sensitivity.save(runId, event.curve));
        bus.emit('run.sensitivity', { runId, curve: event.curve });
        return;
    }
  }

  function onStarted(job: JobSpec) {
    if (!drivesRun(job)) return;
    flush();
    setRunStatus(job.runId, 'running');
    emitRunStatus(job.runId, 'running');
  }

  // Another process (the CLI's `runs cancel`, the app for a run a CLI trains) asks through the store.
  let cancelPoll: ReturnType<typeof setInterval> | null = null;
  function honourCancelRequests() {
    const ours = runner.list().filter((j) => j.runId !== null && runJobKinds.has(j.kind));
    if (ours.length === 0) {
      if (cancelPoll) clearInterval(cancelPoll);
      cancelPoll = null;
      return;
    }
    let asked: string[];
    try {
      asked = store.runs.cancelRequested(ours.map((j) => j.runId as string));
    } catch {
      return; // a busy database: ask again on the next tick
    }
    for (const job of ours) if (job.runId && asked.includes(job.runId)) runner.cancel(job.id);
  }
  function watchCancelRequests() {
    if (cancelPoll || closing) return;
    cancelPoll = setInterval(honourCancelRequests, options.cancelPollMs ?? 1000);
    cancelPoll.unref();
  }

  interface Recorded {
    status: JobResult['status'];
    runStatus: RunStatus;
    error: ApiErrorData | null;
    artifactId: string | null;
    duplicateOf?: DuplicateOf;
    afterCommit?: () => void;
  }

  /** What an outcome means for the job and its run, before anything is written. */
  function interpret(job: JobSpec, outcome: JobOutcome): Recorded {
    if (outcome.status === 'done')
      return { status: 'done', runStatus: 'done', error: null, artifactId: null };
    if (outcome.status === 'cancelled') {
      return {
        status: 'cancelled',
        runStatus: closing ? 'interrupted' : 'cancelled',
        error: { code: 'CANCELLED', message: outcome.reason ?? 'cancelled' },
        artifactId: null,
      };
    }
    const prefix = outcome.crashed
      ? 'worker failed: '
      : outcome.error.name === 'DependencyFailed'
        ? 'not started: '
        : '';
    const data = workerErrorToData(outcome.error, failureCode[job.kind]);
    return {
      status: 'failed',
      runStatus: 'failed',
      error: { ...data, message: prefix + data.message },
      artifactId: null,
    };
  }

  /** Writes the job's result and its run's final status in one transaction; a write failure fails the job. */
  function record(job: JobSpec, outcome: JobOutcome, request: JobRequest | undefined): Recorded {
    const recorded = interpret(job, outcome);
    try {
      store.transaction(() => {
        if (outcome.status === 'done') {
          const done = request?.onDone?.(outcome.result);
          recorded.artifactId = done?.artifactId ?? null;
          if (done?.duplicateOf) recorded.duplicateOf = done.duplicateOf;
          if (done?.afterCommit) recorded.afterCommit = done.afterCommit;
        }
        if (drivesRun(job)) setRunStatus(job.runId, recorded.runStatus, recorded.error?.message ?? null);
      });
      return recorded;
    } catch (err) {
      const error = storeErrorData(err);
      if (drivesRun(job)) {
        try {
          setRunStatus(job.runId, 'failed', error.message);
        } catch {
          // the run row itself is gone (deleted meanwhile); nothing left to mark
        }
      }
      return { status: 'failed', runStatus: 'failed', error, artifactId: null };
    }
  }

  function onFinished(job: JobSpec, outcome: JobOutcome): JobResult {
    flush();
    const request = requests.get(job.id);
    requests.delete(job.id);
    phaseStarts.delete(job.id);
    const { status, runStatus, error, artifactId, duplicateOf, afterCommit } = record(job, outcome, request);
    afterCommit?.();
    if (drivesRun(job)) emitRunStatus(job.runId, runStatus, error?.message ?? null);
    bus.emit('job.finished', {
      jobId: job.id,
      kind: job.kind,
      status,
      runId: job.runId,
      datasetId: job.datasetId,
      artifactId,
      error,
      ...(duplicateOf ? { duplicateOf } : {}),
    });
    return {
      jobId: job.id,
      status,
      result: outcome.status === 'done' ? outcome.result : null,
      error,
      artifactId,
      ...(duplicateOf ? { duplicateOf } : {}),
    };
  }

  const finishedResults = new Map<string, JobResult>();
  const runner = (options.createRunner ?? createJobRunner)({
    launcher: options.launcher,
    dataDir: options.dataDir,
    concurrency: options.concurrency,
    ...(options.cancelGraceMs === undefined ? {} : { cancelGraceMs: options.cancelGraceMs }),
    observer: {
      started: onStarted,
      event: onEvent,
      finished: (job, outcome) => finishedResults.set(job.id, onFinished(job, outcome)),
      persist: flush,
    },
  });

  function remember(jobId: string, result: JobResult) {
    results.delete(jobId);
    recent.set(jobId, result);
    for (const oldest of recent.keys()) {
      if (recent.size <= keepFinishedJobs) break;
      recent.delete(oldest);
    }
  }

  function ensureRoom(count: number, what: string) {
    const pending = requests.size;
    if (pending + count <= maxQueuedJobs) return;
    const n = (x: number) => x.toLocaleString('en-US');
    throw new ApiError({
      code: 'LIMIT',
      message:
        `${what} would queue ${n(count)} ${count === 1 ? 'job' : 'jobs'}, but at most ${n(maxQueuedJobs)} may ` +
        `wait or run at once (${n(pending)} do now) — ` +
        (count > maxQueuedJobs
          ? 'split it into smaller ones'
          : 'wait for queued runs to finish or cancel some'),
      details: { limit: 'queuedJobs', max: maxQueuedJobs, pending, requested: count },
    });
  }

  let counter = 0;
  return {
    ensureRoom,
    submit(request) {
      ensureRoom(1, `this ${request.kind} job`);
      const jobId = `job-${process.pid}-${Date.now().toString(36)}-${++counter}`;
      requests.set(jobId, request);
      const spec: JobSpec = {
        id: jobId,
        kind: request.kind,
        task: request.task,
        input: request.input,
        runId: request.runId ?? null,
        datasetId: request.datasetId ?? null,
        ...(request.after && request.after.length > 0 ? { after: request.after } : {}),
      };
      const settled = runner.submit(spec).then(() => {
        const result = finishedResults.get(jobId);
        finishedResults.delete(jobId);
        if (!result) throw new Error(`job ${jobId} ended without a recorded result`);
        return result;
      });
      results.set(jobId, settled);
      settled.then(
        (result) => remember(jobId, result),
        () => results.delete(jobId),
      );
      if (spec.runId !== null && runJobKinds.has(spec.kind)) watchCancelRequests();
      return jobId;
    },
    wait(jobId) {
      const live = results.get(jobId);
      if (live) return live;
      const finished = recent.get(jobId);
      if (finished) return Promise.resolve(finished);
      return Promise.reject(
        new Error(
          `job ${jobId} is unknown or no longer held: only the newest ${keepFinishedJobs} finished jobs ` +
            `are kept in memory (what a job recorded is in the store)`,
        ),
      );
    },
    cancel: (jobId) => runner.cancel(jobId),
    jobOfRun(runId) {
      return runner.list().find((j) => j.runId === runId && runJobKinds.has(j.kind))?.id;
    },
    list: () => runner.list(),
    setConcurrency: (n) => runner.setConcurrency(n),
    flush,
    async close() {
      closing = true;
      if (cancelPoll) clearInterval(cancelPoll);
      cancelPoll = null;
      await runner.close();
      flush();
    },
  };
}

/** A database refusal (better-sqlite3's SqliteError carries an SQLITE_* code) is a STORE error. */
function storeErrorData(err: unknown): ApiErrorData {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return { code: 'STORE', message: `the database refused the result: ${(err as Error).message}` };
  }
  return toErrorData(err);
}
