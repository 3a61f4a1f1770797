// The JobRunner for more than one machine: train, prune, sensitivity and export jobs go onto a BullMQ
// queue on Redis, where `prunelab worker`s take them; everything else (imports read the user's own
// files) runs in local worker processes as before. Same contract as createJobRunner: dependencies are
// kept here (a job is put on the queue only once its `after` jobs are done), cancel works queued or
// running, and every ending — result, error, cancel, a worker lost for good — is exactly one outcome.
//
// What the queue carries is only a job id. A worker then claims the job from this coordinator over its
// authenticated HTTP (the `endpoint` below, served by src/main/server), fetches the files it lists by
// sha256, posts its events while it runs, uploads what it writes, and posts the outcome. A claim makes a
// lease: when BullMQ hands a stalled job to a second worker, the first worker's lease is superseded and
// whatever it still sends is refused, so a job delivered twice is recorded once.
import { randomBytes } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { QueueEvents } from 'bullmq';
import type { JobSummary, QueueStatus, QueueWorker } from '../../../shared/dto';
import { dataLayout, type TaskEvent } from '../../engine/types';
import { toWorkerError, type TaskName } from '../protocol';
import {
  dependencyOutcome,
  type JobObserver,
  type JobOutcome,
  type JobRunner,
  type JobSpec,
} from '../runner';
import { createFileIndex } from './fileIndex';
import { createIncoming } from './incoming';
import { openQueue } from './queueConnection';
import type { RedisConnection } from './redisUrl';
import { RemoteRefusal, type ClaimAnswer, type RemoteFile, type WorkerIdentity } from './remoteWire';

/** Tasks a worker elsewhere can run: their inputs are files under the data directory. */
export const remoteTasks: readonly TaskName[] = ['trainTask', 'pruneTask', 'sensitivityTask', 'exportTask'];

export interface CoordinatorEndpoint {
  hello(): { coordinatorId: string; queueName: string };
  heartbeat(worker: WorkerIdentity, running: string[]): { cancel: string[] };
  claim(jobId: string, worker: WorkerIdentity): Promise<ClaimAnswer>;
  events(jobId: string, lease: string, seq: number, events: TaskEvent[]): { cancel: boolean };
  receiveFile(
    jobId: string,
    lease: string,
    path: unknown,
    sha256: unknown,
    body: Readable,
  ): Promise<{ bytes: number }>;
  commit(jobId: string, lease: string, path: unknown, keepSiblings?: string[]): Promise<void>;
  complete(jobId: string, lease: string, outcome: JobOutcome): { recorded: boolean };
  /** The file listed under this hash in a claim, if unchanged since. */
  blob(sha256: string): Promise<{ absolute: string; size: number } | null>;
}

/** What the server needs to serve a queue's workers. */
export interface RemoteAccess {
  endpoint: CoordinatorEndpoint;
  workerToken: string;
  /** The queue's Redis URL, password masked. */
  queueDisplay: string;
  version: string;
  /** Bytes and events the routes carried, for the sweep benchmark. */
  traffic: RemoteTraffic;
}

export interface RemoteTraffic {
  servedBytes: number;
  receivedBytes: number;
  events: number;
  eventRequests: number;
  /** Time spent handling event batches (ms): the coordinator's own cost per event. */
  eventMs: number;
}

/** The line to run on another machine to add a worker to this coordinator. */
export function workerCommandLine(remote: RemoteAccess, origin: string): string {
  return `prunelab worker --queue ${remote.queueDisplay} --coordinator ${origin} --token ${remote.workerToken}`;
}

export function createRemoteTraffic(): RemoteTraffic {
  return { servedBytes: 0, receivedBytes: 0, events: 0, eventRequests: 0, eventMs: 0 };
}

export interface QueueJobRunner extends JobRunner {
  /** Settles once Redis answers; rejects with a sentence a user can act on when it does not. */
  readonly ready: Promise<void>;
  readonly endpoint: CoordinatorEndpoint;
  status(): Promise<QueueStatus>;
  /**
   * Runs this coordinator had on the queue, unfinished, when it last stopped (kept in Redis): the
   * services resume them at start-up. Reading them forgets them; resuming records them again.
   */
  takeUnfinishedRuns(): Promise<string[]>;
}

export interface QueueRunnerOptions {
  dataDir: string;
  connection: RedisConnection;
  queueName: string;
  coordinatorId: string;
  /** The URL shown in the UI (password masked). */
  displayUrl: string;
  /** The runner for jobs that stay on this machine, wired to the observer given. */
  createLocal(observer: JobObserver): JobRunner;
  observer?: JobObserver;
  now?: () => Date;
  /** How long a cancelled job on a worker may take to stop before it is recorded cancelled anyway. */
  cancelGraceMs?: number;
  /** Workers count as present this long after their last heartbeat (default one minute). */
  workerSeenMs?: number;
  /** How long to wait for Redis at start before giving up (default 10 s). */
  connectTimeoutMs?: number;
  log?: (line: string) => void;
}

interface RemoteState {
  spec: JobSpec;
  status: 'queued' | 'running';
  placement: 'waiting' | 'local' | 'queue';
  phase: string;
  done: number;
  total: number;
  startedAt: string | null;
  input: unknown;
  claims: number;
  lease: string | null;
  lastSeq: number;
  worker: WorkerIdentity | null;
  cancelRequested: boolean;
  timers: ReturnType<typeof setTimeout>[];
  settle: (outcome: JobOutcome) => void;
}

const FINISHED_MEMORY = 10_000;

export function workerLabel(worker: Pick<WorkerIdentity, 'host' | 'pid'>): string {
  return `${worker.host} (pid ${worker.pid})`;
}

/** Every string in `value` that is an absolute path. */
function absolutePaths(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (isAbsolute(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) absolutePaths(item, out);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) absolutePaths(item, out);
  }
  return out;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function field(input: unknown, key: string): unknown {
  return input && typeof input === 'object' ? (input as Record<string, unknown>)[key] : undefined;
}

export function createQueueJobRunner(options: QueueRunnerOptions): QueueJobRunner {
  const { dataDir, queueName } = options;
  const now = options.now ?? (() => new Date());
  const observer = options.observer ?? {};
  const log = options.log ?? ((line: string) => console.error(line));
  const cancelGraceMs = options.cancelGraceMs ?? 30_000;
  const workerSeenMs = options.workerSeenMs ?? 60_000;
  const files = createFileIndex(dataDir);
  const incoming = createIncoming(dataDir);
  const jobs = new Map<string, RemoteState>();
  /** Queue job id → our state; a resumed run may adopt a queue job made by an earlier start. */
  const byQueueId = new Map<string, RemoteState>();
  const queueIdOf = new Map<string, string>();
  const ended = new Map<string, JobOutcome['status']>();
  const finishedQueueIds = new Set<string>();
  const workers = new Map<string, { identity: WorkerIdentity; lastSeen: number; running: number }>();
  let closed = false;

  let lastRedisError = '';
  const onRedisError = (err: Error) => {
    if (err.message === lastRedisError) return;
    lastRedisError = err.message;
    log(`queue: Redis at ${options.displayUrl} does not answer (${err.message}); retrying`);
  };
  /** Redis answered (or start-up failed with a sentence saying why); everything on the queue waits for it. */
  const ready = (async () => {
    const opened = await openQueue({
      connection: options.connection,
      queueName,
      display: options.displayUrl,
      timeoutMs: options.connectTimeoutMs ?? 10_000,
      onError: onRedisError,
    });
    listen(opened.events);
    await incoming.cleanAll();
    return { ...opened, redis: await opened.queue.client };
  })();
  ready.catch(() => undefined); // surfaced by `ready` to whoever starts the runner
  const unfinishedKey = `bull:${queueName}:prunelab-unfinished`;

  function notify<K extends keyof JobObserver>(key: K, ...args: Parameters<NonNullable<JobObserver[K]>>) {
    try {
      (observer[key] as ((...a: unknown[]) => void) | undefined)?.(...args);
    } catch (err) {
      console.error(`job observer ${key} failed:`, err);
    }
  }

  const local = options.createLocal({
    started: (spec) => notify('started', spec),
    event: (spec, event) => notify('event', spec, event),
  });

  function rememberFinished(queueId: string) {
    finishedQueueIds.add(queueId);
    if (finishedQueueIds.size > FINISHED_MEMORY) {
      const oldest = finishedQueueIds.values().next().value;
      if (oldest !== undefined) finishedQueueIds.delete(oldest);
    }
  }

  function finish(state: RemoteState, outcome: JobOutcome) {
    if (!jobs.has(state.spec.id)) return;
    for (const timer of state.timers) clearTimeout(timer);
    jobs.delete(state.spec.id);
    ended.set(state.spec.id, outcome.status);
    const queueId = queueIdOf.get(state.spec.id);
    if (queueId) {
      byQueueId.delete(queueId);
      queueIdOf.delete(state.spec.id);
      rememberFinished(queueId);
      void incoming.discard(queueId).catch(() => undefined);
    }
    // A coordinator that stops leaves its unfinished jobs listed in Redis for the next start.
    if (!closed)
      void ready.then(({ redis }) => redis.hdel(unfinishedKey, state.spec.id)).catch(() => undefined);
    notify('finished', state.spec, outcome);
    state.settle(outcome);
    pump();
  }

  /** A job goes to the queue when a worker elsewhere can do it: its task and every path it names. */
  function runsRemotely(state: RemoteState): boolean {
    if (!remoteTasks.includes(state.spec.task) || !state.spec.runId) return false;
    return absolutePaths(state.input).every((path) => isInside(dataDir, path));
  }

  function pump() {
    if (closed) return;
    for (const state of [...jobs.values()]) {
      if (state.placement !== 'waiting' || !jobs.has(state.spec.id)) continue;
      const blocked = dependencyOutcome(state.spec, ended, (id) => jobs.has(id));
      if (blocked === 'wait') continue;
      if (blocked !== null) {
        finish(state, blocked);
        continue;
      }
      place(state);
    }
  }

  function place(state: RemoteState) {
    try {
      const input = state.spec.input;
      state.input = typeof input === 'function' ? (input as () => unknown)() : input;
    } catch (err) {
      notify('started', state.spec);
      finish(state, { status: 'failed', error: toWorkerError(err), crashed: false });
      return;
    }
    if (!runsRemotely(state)) {
      state.placement = 'local';
      state.status = 'running';
      const { after: _after, ...spec } = state.spec;
      void local.submit({ ...spec, input: state.input }).then((outcome) => finish(state, outcome));
      return;
    }
    state.placement = 'queue';
    void enqueue(state).catch((err: unknown) => {
      finish(state, {
        status: 'failed',
        error: {
          name: 'QueueError',
          message: `could not put the job on the queue: ${(err as Error).message}`,
        },
        crashed: false,
      });
    });
  }

  /** Runs resumed at start whose queue job (made by an earlier start) is still on the queue. */
  const adoptable = new Map<string, string>();

  async function enqueue(state: RemoteState) {
    const { queue } = await ready;
    const runId = state.spec.runId ?? '';
    const adopted = adoptable.get(runId);
    let queueId = state.spec.id;
    if (adopted !== undefined) {
      adoptable.delete(runId);
      queueId = adopted;
    }
    queueIdOf.set(state.spec.id, queueId);
    byQueueId.set(queueId, state);
    if (adopted !== undefined) {
      const job = await queue.getJob(adopted);
      const jobState = job ? await job.getState() : 'unknown';
      if (jobState === 'active') {
        // A worker is on it right now; its next message takes up the lease this start does not know.
        state.claims = 1;
        markStarted(state);
        return;
      }
      if (job && jobState !== 'completed' && jobState !== 'failed' && jobState !== 'unknown') return;
      queueId = state.spec.id;
      byQueueId.delete(adopted);
      queueIdOf.set(state.spec.id, queueId);
      byQueueId.set(queueId, state);
    }
    await queue.add(
      state.spec.task,
      { runId: state.spec.runId, kind: state.spec.kind },
      { jobId: queueId, removeOnComplete: true, removeOnFail: { count: 1000 } },
    );
  }

  function markStarted(state: RemoteState) {
    if (state.status === 'running') return;
    state.status = 'running';
    state.startedAt = now().toISOString();
    notify('started', state.spec);
  }

  function listen(queueEvents: QueueEvents) {
    queueEvents.on('stalled', ({ jobId }) => {
      const state = byQueueId.get(jobId);
      if (!state) return;
      log(
        `queue: job ${jobId} stalled (worker ${state.worker ? workerLabel(state.worker) : '?'} stopped answering); another worker takes it from its last checkpoint`,
      );
      state.worker = null;
    });
    queueEvents.on('failed', ({ jobId, failedReason }) => {
      const state = byQueueId.get(jobId);
      if (!state) return;
      finish(state, {
        status: 'failed',
        error: { name: 'WorkerCrash', message: `the queue gave the job up: ${failedReason}` },
        crashed: true,
      });
    });
  }

  function stateForCall(jobId: string, lease: string): RemoteState {
    const state = byQueueId.get(jobId);
    if (!state) {
      throw new RemoteRefusal('gone', `job ${jobId} is not running on this coordinator any more`);
    }
    if (state.lease === null && state.claims > 0) state.lease = lease; // adopted after a restart
    if (state.lease !== lease) {
      throw new RemoteRefusal('superseded', `job ${jobId} was handed to another worker`);
    }
    return state;
  }

  /** Files a job needs: its dataset, the models its input names, and its checkpoints when it resumes. */
  function neededPaths(state: RemoteState, resume: boolean): string[] {
    const paths: string[] = [];
    const datasetId = field(state.input, 'datasetId');
    if (typeof datasetId === 'string') paths.push(dataLayout.datasetDir(dataDir, datasetId));
    const runId = state.spec.runId ?? '';
    const exportsDir = dataLayout.exportDir(dataDir, runId);
    for (const path of absolutePaths(state.input)) {
      if (!isInside(exportsDir, path)) paths.push(path);
    }
    if (resume) paths.push(`${dataLayout.runDir(dataDir, runId)}/checkpoints`);
    return [...new Set(paths)];
  }

  /** Every path in a result must be in the data directory: it is recorded and read again later. */
  function checkResultPaths(state: RemoteState, result: unknown): JobOutcome | null {
    const outside = absolutePaths(result).find((path) => !isInside(dataDir, path));
    if (outside === undefined) return null;
    return {
      status: 'failed',
      error: {
        name: 'RemoteResult',
        message: `worker ${state.worker ? workerLabel(state.worker) : ''} answered with a path outside the data directory: ${outside}`,
      },
      crashed: false,
    };
  }

  function checkpointInsideRun(state: RemoteState, event: TaskEvent): boolean {
    if (event.type !== 'checkpoint') return true;
    return isInside(dataLayout.runDir(dataDir, state.spec.runId ?? ''), event.path);
  }

  const endpoint: CoordinatorEndpoint = {
    hello: () => ({ coordinatorId: options.coordinatorId, queueName }),

    heartbeat(worker, running) {
      workers.set(worker.id, { identity: worker, lastSeen: Date.now(), running: running.length });
      const cancel: string[] = [];
      for (const queueId of running) {
        const state = byQueueId.get(queueId);
        if (!state || state.cancelRequested) cancel.push(queueId);
      }
      return { cancel };
    },

    async claim(jobId, worker) {
      const state = byQueueId.get(jobId);
      if (!state) throw new RemoteRefusal('gone', `job ${jobId} is not waiting for a worker here`);
      if (state.cancelRequested) {
        finish(state, { status: 'cancelled', forced: false });
        throw new RemoteRefusal('gone', `job ${jobId} was cancelled`);
      }
      state.claims += 1;
      const lease = `${state.claims}-${randomBytes(9).toString('base64url')}`;
      state.lease = lease;
      state.lastSeq = -1;
      state.worker = worker;
      workers.set(worker.id, { identity: worker, lastSeen: Date.now(), running: 1 });
      // A second delivery continues from the last checkpoint the first worker uploaded.
      let input = state.input;
      if (state.claims > 1 && field(input, 'resume') === false)
        input = { ...(input as object), resume: true };
      const resume = field(input, 'resume') === true;
      const manifest = await files.manifest(neededPaths(state, resume));
      markStarted(state);
      if (state.claims > 1) log(`queue: job ${jobId} taken again by ${workerLabel(worker)}; it resumes`);
      return {
        lease,
        task: state.spec.task,
        kind: state.spec.kind,
        runId: state.spec.runId,
        input,
        dataDir,
        files: manifest satisfies RemoteFile[],
      };
    },

    events(jobId, lease, seq, events) {
      const state = stateForCall(jobId, lease);
      if (seq <= state.lastSeq) return { cancel: state.cancelRequested };
      state.lastSeq = seq;
      for (const event of events) {
        if (!checkpointInsideRun(state, event)) continue;
        if (event.type === 'progress') {
          state.phase = event.phase;
          state.done = event.done;
          state.total = event.total;
        }
        notify('event', state.spec, event);
      }
      // Acknowledged means recorded: a coordinator killed right after answering loses nothing.
      notify('persist');
      return { cancel: state.cancelRequested };
    },

    async receiveFile(jobId, lease, path, sha256, body) {
      const state = stateForCall(jobId, lease);
      return incoming.receive(jobId, state.spec.runId, path, sha256, body);
    },

    async commit(jobId, lease, path, keepSiblings) {
      const state = stateForCall(jobId, lease);
      await incoming.commit(jobId, state.spec.runId, path, keepSiblings);
    },

    complete(jobId, lease, outcome) {
      if (!byQueueId.has(jobId) && finishedQueueIds.has(jobId)) return { recorded: false };
      const state = stateForCall(jobId, lease);
      if (outcome.status === 'done') {
        finish(state, checkResultPaths(state, outcome.result) ?? outcome);
      } else if (
        outcome.status === 'failed' &&
        state.cancelRequested &&
        outcome.error.name === 'AbortError'
      ) {
        finish(state, { status: 'cancelled', forced: false });
      } else {
        finish(state, outcome);
      }
      return { recorded: true };
    },

    blob: (sha256) => files.offered(sha256),
  };

  function summary(state: RemoteState): JobSummary {
    return {
      id: state.spec.id,
      kind: state.spec.kind,
      status: state.status,
      runId: state.spec.runId,
      datasetId: state.spec.datasetId,
      phase: state.phase,
      done: state.done,
      total: state.total,
      startedAt: state.startedAt,
      worker: state.worker ? workerLabel(state.worker) : null,
    };
  }

  return {
    endpoint,

    submit(spec) {
      if (closed)
        return Promise.resolve({ status: 'cancelled', forced: false, reason: 'the job runner is closed' });
      if (jobs.has(spec.id) || ended.has(spec.id)) throw new Error(`job ${spec.id} was already submitted`);
      return new Promise<JobOutcome>((settle) => {
        const state: RemoteState = {
          spec,
          status: 'queued',
          placement: 'waiting',
          phase: 'queued',
          done: 0,
          total: 0,
          startedAt: null,
          input: undefined,
          claims: 0,
          lease: null,
          lastSeq: -1,
          worker: null,
          cancelRequested: false,
          timers: [],
          settle,
        };
        jobs.set(spec.id, state);
        if (spec.runId && remoteTasks.includes(spec.task))
          void ready
            .then(({ redis }) => redis.hset(unfinishedKey, { [spec.id]: spec.runId ?? '' }))
            .catch(() => undefined);
        pump();
      });
    },

    cancel(jobId) {
      const state = jobs.get(jobId);
      if (!state || state.cancelRequested) return false;
      if (state.placement === 'local') return local.cancel(jobId);
      state.cancelRequested = true;
      if (state.placement === 'waiting') {
        finish(state, { status: 'cancelled', forced: false });
        return true;
      }
      const queueId = queueIdOf.get(jobId);
      if (state.claims === 0 && queueId) {
        // Not taken yet: take it off the queue (0 means a worker is taking it right now).
        void ready
          .then(({ queue }) => queue.remove(queueId))
          .then((removed) => {
            if (removed === 1) finish(state, { status: 'cancelled', forced: false });
          })
          .catch(() => undefined);
      }
      // A worker learns of the cancel from its next exchange; one that never answers is not waited for.
      state.timers.push(
        setTimeout(() => finish(state, { status: 'cancelled', forced: true }), cancelGraceMs),
      );
      return true;
    },

    list() {
      const own = [...jobs.values()].filter((s) => s.placement !== 'local').map(summary);
      return [...own, ...local.list()];
    },

    has(jobId) {
      return jobs.has(jobId);
    },

    setConcurrency(n) {
      local.setConcurrency(n);
    },

    async status() {
      const cutoff = Date.now() - workerSeenMs;
      const seen: QueueWorker[] = [];
      for (const [id, w] of workers) {
        if (w.lastSeen < cutoff) {
          workers.delete(id);
          continue;
        }
        seen.push({
          id,
          host: w.identity.host,
          pid: w.identity.pid,
          concurrency: w.identity.concurrency,
          running: w.running,
          lastSeen: new Date(w.lastSeen).toISOString(),
        });
      }
      let depth: QueueStatus['depth'] = null;
      let problem: string | null = null;
      try {
        const { queue } = await ready;
        const counts = await withTimeout(
          queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused'),
          2000,
          () => `Redis at ${options.displayUrl} does not answer`,
        );
        depth = {
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.paused ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
        };
      } catch (err) {
        problem = (err as Error).message;
      }
      return { enabled: true, url: options.displayUrl, depth, workers: seen, problem };
    },

    ready: ready.then(() => undefined),

    async takeUnfinishedRuns() {
      const { redis, queue } = await ready;
      const entries = await redis.hgetall(unfinishedKey);
      const specIds = Object.keys(entries);
      if (specIds.length > 0) await redis.hdel(unfinishedKey, ...specIds);
      const waiting = await queue.getJobs(['active', 'waiting', 'delayed', 'prioritized', 'paused']);
      for (const job of waiting) {
        const runId = (job.data as { runId?: unknown } | undefined)?.runId;
        if (typeof runId === 'string' && job.id) adoptable.set(runId, job.id);
      }
      return [...new Set(Object.values(entries))];
    },

    async close() {
      closed = true;
      // Jobs on the queue stay there for the next start (or another worker); here they just end.
      for (const state of [...jobs.values()]) {
        if (state.placement === 'local') continue;
        finish(state, { status: 'cancelled', forced: false, reason: 'the coordinator stopped' });
      }
      await local.close();
      await ready.then(({ close }) => close()).catch(() => undefined);
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message())), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
