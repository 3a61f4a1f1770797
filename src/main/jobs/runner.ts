// The job queue: runs each job in its own worker process, at most `concurrency` at a time, relays the
// worker's events to an observer, and turns every way a worker can end — result, error, cancel, crash,
// hang — into exactly one outcome per job.
import type { JobKind, JobSummary } from '../../shared/dto';
import type { TaskEvent } from '../engine/types';
import type { WorkerExit, WorkerHandle, WorkerLauncher } from './launcher';
import { toWorkerError, type FromWorker, type TaskName, type WorkerError } from './protocol';

export interface JobSpec {
  id: string;
  kind: JobKind;
  task: TaskName;
  /**
   * The task's input, or a function that computes it when the job starts (a prune run reads its parent's
   * model folder only once the parent is done). If it throws, the job fails without starting a worker.
   */
  input: unknown | (() => unknown);
  runId: string | null;
  datasetId: string | null;
  /**
   * Jobs that must end 'done' before this one starts (a sweep's prune runs wait for their dense parent).
   * They must be queued or running when this one is submitted: endings are not kept for later callers.
   */
  after?: string[];
}

export type JobOutcome =
  | { status: 'done'; result: unknown }
  | { status: 'cancelled'; forced: boolean; reason?: string }
  | { status: 'failed'; error: WorkerError; crashed: boolean };

export interface JobObserver {
  started?(job: JobSpec): void;
  event?(job: JobSpec, event: TaskEvent): void;
  finished?(job: JobSpec, outcome: JobOutcome): void;
  /** Writes what the events so far changed; a remote runner calls it before acknowledging a batch. */
  persist?(): void;
}

export interface JobRunnerOptions {
  launcher: WorkerLauncher;
  dataDir: string;
  /** Jobs running at once (default 1). */
  concurrency?: number;
  /** How long a cancelled worker may take to stop on its own before it is killed (default 5 s). */
  cancelGraceMs?: number;
  /** How long a finished worker may take to exit before it is killed (default 3 s). */
  exitGraceMs?: number;
  observer?: JobObserver;
  now?: () => Date;
}

export interface JobRunner {
  /** Queues a job; the promise settles (never rejects) with its outcome. */
  submit(spec: JobSpec): Promise<JobOutcome>;
  /** Cancels a queued or running job; false when the job is unknown or already over. */
  cancel(jobId: string): boolean;
  list(): JobSummary[];
  has(jobId: string): boolean;
  setConcurrency(n: number): void;
  /** Cancels everything queued, kills every worker, waits for them to go. */
  close(): Promise<void>;
}

interface JobState {
  spec: JobSpec;
  status: 'queued' | 'running';
  phase: string;
  done: number;
  total: number;
  startedAt: string | null;
  worker: WorkerHandle | null;
  input: unknown;
  ready: boolean;
  cancelRequested: boolean;
  terminal: FromWorker | null;
  timers: ReturnType<typeof setTimeout>[];
  settle: (outcome: JobOutcome) => void;
}

/**
 * Whether a queued job may start: null (its `after` jobs are done), 'wait', or the outcome it ends with
 * before it ever runs — cancelled when a dependency was cancelled, failed when one failed or is unknown.
 */
export function dependencyOutcome(
  spec: JobSpec,
  ended: ReadonlyMap<string, JobOutcome['status']>,
  isPending: (jobId: string) => boolean,
): JobOutcome | 'wait' | null {
  for (const dep of spec.after ?? []) {
    const status = ended.get(dep);
    if (status === 'done') continue;
    if (status === undefined && isPending(dep)) return 'wait';
    const message =
      status === undefined
        ? `it waits for job ${dep}, which is unknown or ended earlier`
        : `it waited for job ${dep}, which ended ${status}`;
    return status === 'cancelled'
      ? { status: 'cancelled', forced: false, reason: message }
      : { status: 'failed', error: { name: 'DependencyFailed', message }, crashed: false };
  }
  return null;
}

/** The local runner, plus what it holds (tests check that a long session does not grow). */
export interface LocalJobRunner extends JobRunner {
  retained(): { live: number; ended: number };
}

export function createJobRunner(options: JobRunnerOptions): LocalJobRunner {
  let concurrency = Math.max(1, options.concurrency ?? 1);
  const cancelGraceMs = options.cancelGraceMs ?? 5000;
  const exitGraceMs = options.exitGraceMs ?? 3000;
  const now = options.now ?? (() => new Date());
  const observer = options.observer ?? {};
  const jobs = new Map<string, JobState>();
  /** Final status of ended jobs that a queued job still waits on (`after`); forgotten after that. */
  const ended = new Map<string, JobOutcome['status']>();
  let closed = false;

  function notify<K extends keyof JobObserver>(key: K, ...args: Parameters<NonNullable<JobObserver[K]>>) {
    try {
      (observer[key] as ((...a: unknown[]) => void) | undefined)?.(...args);
    } catch (err) {
      // An observer bug must not wedge the queue; it is reported, not swallowed silently.
      console.error(`job observer ${key} failed:`, err);
    }
  }

  function finish(state: JobState, outcome: JobOutcome) {
    for (const timer of state.timers) clearTimeout(timer);
    jobs.delete(state.spec.id);
    ended.set(state.spec.id, outcome.status);
    notify('finished', state.spec, outcome);
    state.settle(outcome);
    pump();
    forgetUnneededEndings();
  }

  /** Keeps an ending only while a live job depends on it, so a long session does not grow. */
  function forgetUnneededEndings() {
    const needed = new Set<string>();
    for (const live of jobs.values()) for (const dep of live.spec.after ?? []) needed.add(dep);
    for (const id of ended.keys()) if (!needed.has(id)) ended.delete(id);
  }

  let pumping = false;
  let pumpAgain = false;

  /** Starts whatever may start now. Re-entrant calls (a job ending while starting) just ask for one more pass. */
  function pump() {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        pumpOnce();
      } while (pumpAgain && !closed);
    } finally {
      pumping = false;
    }
  }

  function pumpOnce() {
    if (closed) return;
    for (const state of [...jobs.values()]) {
      if (state.status !== 'queued' || !jobs.has(state.spec.id)) continue;
      const blocked = dependencyOutcome(state.spec, ended, (id) => jobs.has(id));
      if (blocked === 'wait') continue;
      if (blocked !== null) {
        finish(state, blocked);
        continue;
      }
      const running = [...jobs.values()].filter((j) => j.status === 'running').length;
      if (running >= concurrency) break;
      start(state);
    }
  }

  function start(state: JobState) {
    state.status = 'running';
    state.startedAt = now().toISOString();
    try {
      const input = state.spec.input;
      state.input = typeof input === 'function' ? (input as () => unknown)() : input;
    } catch (err) {
      notify('started', state.spec);
      finish(state, { status: 'failed', error: toWorkerError(err), crashed: false });
      return;
    }
    const worker = options.launcher.launch();
    state.worker = worker;
    notify('started', state.spec);
    worker.onMessage((message) => onMessage(state, message));
    worker.onExit((exit) => onExit(state, exit));
  }

  function onMessage(state: JobState, message: FromWorker) {
    if (state.terminal) return;
    switch (message.type) {
      case 'ready':
        state.ready = true;
        if (state.cancelRequested) {
          state.worker?.kill();
          return;
        }
        state.worker?.send({
          type: 'start',
          jobId: state.spec.id,
          task: state.spec.task,
          input: state.input,
          dataDir: options.dataDir,
        });
        return;
      case 'event':
        if (message.event.type === 'progress') {
          state.phase = message.event.phase;
          state.done = message.event.done;
          state.total = message.event.total;
        }
        notify('event', state.spec, message.event);
        return;
      case 'done':
      case 'failed':
        state.terminal = message;
        state.worker?.send({ type: 'shutdown' });
        state.timers.push(setTimeout(() => state.worker?.kill(), exitGraceMs));
        return;
    }
  }

  function onExit(state: JobState, exit: WorkerExit) {
    const terminal = state.terminal;
    if (terminal?.type === 'done') return finish(state, { status: 'done', result: terminal.result });
    if (terminal?.type === 'failed') {
      if (state.cancelRequested && terminal.error.name === 'AbortError') {
        return finish(state, { status: 'cancelled', forced: false });
      }
      return finish(state, { status: 'failed', error: terminal.error, crashed: false });
    }
    if (state.cancelRequested) return finish(state, { status: 'cancelled', forced: true });
    finish(state, { status: 'failed', error: crashError(exit), crashed: true });
  }

  return {
    submit(spec) {
      if (closed)
        return Promise.resolve({ status: 'cancelled', forced: false, reason: 'the job runner is closed' });
      if (jobs.has(spec.id) || ended.has(spec.id)) throw new Error(`job ${spec.id} was already submitted`);
      return new Promise<JobOutcome>((settle) => {
        jobs.set(spec.id, {
          spec,
          status: 'queued',
          phase: 'queued',
          done: 0,
          total: 0,
          startedAt: null,
          worker: null,
          input: undefined,
          ready: false,
          cancelRequested: false,
          terminal: null,
          timers: [],
          settle,
        });
        pump();
      });
    },

    cancel(jobId) {
      const state = jobs.get(jobId);
      if (!state || state.cancelRequested || state.terminal) return false;
      state.cancelRequested = true;
      if (state.status === 'queued') {
        finish(state, { status: 'cancelled', forced: false });
        return true;
      }
      if (state.ready) state.worker?.send({ type: 'cancel' });
      // Not ready yet: the 'ready' handler kills it before any work starts.
      state.timers.push(setTimeout(() => state.worker?.kill(), cancelGraceMs));
      return true;
    },

    list() {
      return [...jobs.values()].map((j) => ({
        id: j.spec.id,
        kind: j.spec.kind,
        status: j.status,
        runId: j.spec.runId,
        datasetId: j.spec.datasetId,
        phase: j.phase,
        done: j.done,
        total: j.total,
        startedAt: j.startedAt,
      }));
    },

    has(jobId) {
      return jobs.has(jobId);
    },

    retained: () => ({ live: jobs.size, ended: ended.size }),

    setConcurrency(n) {
      concurrency = Math.max(1, Math.floor(n));
      pump();
    },

    async close() {
      closed = true;
      const exits: Promise<void>[] = [];
      for (const state of [...jobs.values()]) {
        if (state.status === 'queued') {
          finish(state, { status: 'cancelled', forced: false, reason: 'the job runner closed' });
          continue;
        }
        state.cancelRequested = true;
        const worker = state.worker;
        if (worker) {
          exits.push(new Promise((resolve) => worker.onExit(() => resolve())));
          worker.kill();
        }
      }
      await Promise.all(exits);
    },
  };
}

function crashError(exit: WorkerExit): WorkerError {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const tail = exit.stderrTail.trim().split('\n').slice(-3).join(' | ');
  return {
    name: 'WorkerCrash',
    message: `the worker process ${how} before finishing${tail ? `: ${tail}` : ''}`,
  };
}
