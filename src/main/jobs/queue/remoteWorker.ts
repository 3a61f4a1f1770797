// `prunelab worker`: a headless process on any machine that takes jobs from a coordinator's BullMQ
// queue and runs them with the same engine tasks, each in its own worker process exactly as on the
// coordinator (the local JobRunner with the engine's task table), in a scratch data directory filled
// from a bounded cache of files fetched by sha256. It holds no database: events go back while the job
// runs, checkpoints as they are written, the model and exports before the outcome.
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import type { TaskEvent } from '../../engine/types';
import type { WorkerLauncher } from '../launcher';
import { createForkLauncher } from '../launcher';
import type { TaskName } from '../protocol';
import { createJobRunner, type JobOutcome, type JobRunner } from '../runner';
import { createBlobCache, HashMismatchError } from './blobCache';
import { checkpointSuperseded } from './checkpointTurnover';
import { createCoordinatorClient, CoordinatorAuthError, type Backoff } from './coordinatorClient';
import { createEventSender } from './eventSender';
import { sha256File, toRemotePath } from './fileIndex';
import { rewritePaths } from './pathRewrite';
import { workerLabel } from './queueRunner';
import type { RedisConnection } from './redisUrl';
import { RemoteRefusal, type ClaimAnswer, type WorkerIdentity } from './remoteWire';
import { listFiles } from './treeFiles';
import { probeRedis } from './queueConnection';

export interface RemoteWorkerOptions {
  connection: RedisConnection;
  /** For messages: the Redis URL with its password masked. */
  queueDisplay: string;
  coordinatorUrl: string;
  token: string;
  concurrency: number;
  /** The worker's own folder: cache/ (fetched files) and jobs/ (scratch data directories). */
  home: string;
  cacheBytes: number;
  /** How long a job stays with a worker that stopped answering before another may take it (BullMQ lock). */
  lockMs?: number;
  launcher?: WorkerLauncher;
  log: (line: string) => void;
  /** Aborting it stops the worker; jobs it held go back to the queue when their lock expires. */
  signal: AbortSignal;
  backoff?: Partial<Backoff>;
  heartbeatMs?: number;
  eventFlushMs?: number;
  version: string;
}

export interface WorkerSummary {
  jobs: number;
  downloadedBytes: number;
  uploadedBytes: number;
}

interface ActiveJob {
  runner: JobRunner | null;
  cancelled: boolean;
}

function identityOf(concurrency: number, version: string): WorkerIdentity {
  const host = hostname().slice(0, 255) || 'unknown-host';
  const safeHost = host.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  return {
    id: `${safeHost}:${process.pid}:${randomBytes(3).toString('hex')}`,
    host,
    pid: process.pid,
    concurrency,
    version: version.slice(0, 64),
  };
}

export async function runRemoteWorker(options: RemoteWorkerOptions): Promise<WorkerSummary> {
  const { log, signal } = options;
  const identity = identityOf(options.concurrency, options.version);
  const label = workerLabel(identity);
  const client = createCoordinatorClient({
    url: options.coordinatorUrl,
    token: options.token,
    log,
    signal,
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  const cache = await createBlobCache(join(options.home, 'cache'), options.cacheBytes);
  const scratchRoot = join(options.home, 'jobs');
  // Scratch folders of jobs a previous run of this worker held when it stopped.
  await rm(scratchRoot, { recursive: true, force: true });
  const launcher = options.launcher ?? createForkLauncher();
  const active = new Map<string, ActiveJob>();
  let jobsDone = 0;

  log(`worker ${label}: asking the coordinator at ${options.coordinatorUrl} for its queue…`);
  const hello = await client.hello();
  log(
    `worker ${label}: coordinator ${hello.coordinatorId} (PruneLab ${hello.version}); taking jobs from ${options.queueDisplay} queue ${hello.queueName}, ${options.concurrency} at a time`,
  );

  // A wrong Redis URL or password is one clear sentence now, not a retry loop later.
  await probeRedis(options.connection, options.queueDisplay, 30_000);
  const lockMs = options.lockMs ?? 30_000;
  const bullWorker = new Worker(hello.queueName, (job, token) => processJob(job, token), {
    connection: { ...options.connection },
    concurrency: options.concurrency,
    lockDuration: lockMs,
    stalledInterval: Math.max(1000, Math.round(lockMs / 2)),
    maxStalledCount: 3,
    autorun: false,
  });
  let lastRedisError = '';
  bullWorker.on('error', (err) => {
    if (err.message === lastRedisError) return;
    lastRedisError = err.message;
    log(`worker ${label}: Redis at ${options.queueDisplay}: ${err.message}`);
  });

  async function heartbeat() {
    try {
      const { cancel } = await client.heartbeat(identity, [...active.keys()]);
      for (const jobId of cancel) cancelJob(jobId, 'the coordinator cancelled it');
    } catch (err) {
      if (err instanceof CoordinatorAuthError) log(`worker ${label}: ${err.message}`);
    }
  }
  // One heartbeat at a time: while the coordinator is unreachable the one in flight keeps retrying.
  let beating = false;
  const beat = () => {
    if (beating) return;
    beating = true;
    void heartbeat().finally(() => (beating = false));
  };
  beat();
  const heartbeatTimer = setInterval(beat, options.heartbeatMs ?? 5000);

  function cancelJob(jobId: string, why: string) {
    const job = active.get(jobId);
    if (!job || job.cancelled) return;
    job.cancelled = true;
    log(`job ${jobId}: cancelling (${why})`);
    job.runner?.cancel(jobId);
  }

  async function fetchFiles(claim: ClaimAnswer, scratch: string, pinned: string[]) {
    for (const file of claim.files) {
      const fetchBlob = () => client.blob(file.sha256);
      try {
        await cache.acquire(file.sha256, file.size, fetchBlob);
      } catch (err) {
        if (!(err instanceof HashMismatchError)) throw err;
        log(`${err.message}; fetching it once more`);
        await cache.acquire(file.sha256, file.size, fetchBlob);
      }
      pinned.push(file.sha256);
      const target = join(scratch, ...file.path.split('/'));
      // The dataset cache is read-only for every task; run folders get copies the task may replace.
      await cache.materialize(file.sha256, target, file.path.startsWith('datasets/'));
    }
  }

  /** Uploads every file under `absolute` and moves it into place on the coordinator. */
  async function uploadTree(jobId: string, lease: string, scratch: string, absolute: string) {
    const files = await listFiles(absolute, scratch);
    for (const file of files) {
      await client.upload(jobId, lease, file.path, await sha256File(file.absolute), file.absolute);
    }
  }

  async function sendTree(jobId: string, lease: string, scratch: string, absolute: string) {
    await uploadTree(jobId, lease, scratch, absolute);
    await client.commit(jobId, lease, toRemotePath(scratch, absolute));
  }

  /**
   * Uploads and commits a checkpoint the task has just written, unless a newer one replaced it while it
   * was read (the task then deletes it, maybe half way through the upload): that one is skipped, and
   * the newer one follows. Returns whether it was committed.
   */
  async function sendCheckpoint(jobId: string, lease: string, scratch: string, absolute: string) {
    try {
      const siblings = await readdir(dirname(absolute));
      await uploadTree(jobId, lease, scratch, absolute);
      if (await checkpointSuperseded(absolute)) return false;
      await client.commit(jobId, lease, toRemotePath(scratch, absolute), siblings);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** What the job leaves under runs/<runId> (besides checkpoints, sent as they came) and exports/<runId>. */
  async function sendOutputs(jobId: string, lease: string, scratch: string, runId: string) {
    for (const top of ['runs', 'exports']) {
      const dir = join(scratch, top, runId);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (top === 'runs' && name === 'checkpoints') continue;
        await sendTree(jobId, lease, scratch, join(dir, name));
      }
    }
  }

  function withWorker<T>(value: T): T {
    if (!value || typeof value !== 'object') return value;
    const backend = (value as { backend?: unknown }).backend;
    if (!backend || typeof backend !== 'object') return value;
    return { ...value, backend: { ...backend, worker: label } };
  }

  /** A stopping worker leaves its jobs to the queue: it neither completes nor fails them. */
  const leftToTheQueue = new Promise<never>(() => undefined);

  async function processJob(job: Job, _token?: string): Promise<{ recorded: boolean } | { skipped: string }> {
    const jobId = job.id ?? '';
    let claim: ClaimAnswer;
    try {
      claim = await client.claim(jobId, identity);
    } catch (err) {
      if (err instanceof RemoteRefusal) {
        log(`job ${jobId}: skipped (${err.message})`);
        return { skipped: err.message };
      }
      throw err;
    }
    const scratch = join(
      scratchRoot,
      `${jobId.replace(/[^A-Za-z0-9_-]/g, '_')}-${randomBytes(3).toString('hex')}`,
    );
    const pinned: string[] = [];
    const state: ActiveJob = { runner: null, cancelled: false };
    active.set(jobId, state);
    const started = Date.now();
    try {
      const bytes = claim.files.reduce((sum, f) => sum + f.size, 0);
      log(
        `job ${jobId}: ${claim.kind} of run ${claim.runId ?? '—'}; ${claim.files.length} files (${(bytes / 1048576).toFixed(1)} MiB) by hash`,
      );
      await fetchFiles(claim, scratch, pinned);
      const outcome = await runClaimed(jobId, claim, scratch, state);
      if (signal.aborted) return await leftToTheQueue;
      const answer = await client.complete(jobId, claim.lease, outcome);
      jobsDone += 1;
      log(
        `job ${jobId}: ${outcome.status} in ${((Date.now() - started) / 1000).toFixed(1)} s${answer.recorded ? '' : ' (already recorded)'}`,
      );
      return answer;
    } catch (err) {
      if (err instanceof RemoteRefusal) {
        log(`job ${jobId}: stopped (${err.message})`);
        return { skipped: err.message };
      }
      if (signal.aborted) return await leftToTheQueue;
      // A failure of this worker, not of the task (disk full, a file that never matched its hash).
      log(`job ${jobId}: failed here: ${(err as Error).message}`);
      await client
        .complete(jobId, claim.lease, {
          status: 'failed',
          error: { name: 'WorkerError', message: `on worker ${label}: ${(err as Error).message}` },
          crashed: false,
        })
        .catch(() => undefined);
      return { skipped: (err as Error).message };
    } finally {
      active.delete(jobId);
      for (const sha of pinned) cache.release(sha);
      await state.runner?.close();
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async function runClaimed(
    jobId: string,
    claim: ClaimAnswer,
    scratch: string,
    state: ActiveJob,
  ): Promise<JobOutcome> {
    const toCoordinator = <T>(value: T): T => rewritePaths(value, scratch, claim.dataDir);
    const sender = createEventSender({
      flushMs: options.eventFlushMs ?? 500,
      post: (seq, events) => client.events(jobId, claim.lease, seq, events),
      translate: (event) => withWorker(toCoordinator(event)),
      syncCheckpoint: async (event) =>
        (await sendCheckpoint(jobId, claim.lease, scratch, event.path)) ? toCoordinator(event) : null,
      onCancel: () => cancelJob(jobId, 'the coordinator cancelled it'),
    });
    const runner = createJobRunner({
      launcher,
      dataDir: scratch,
      observer: { event: (_spec, event: TaskEvent) => sender.push(event) },
    });
    state.runner = runner;
    let refused: unknown = null;
    const outcome = await runner.submit({
      id: jobId,
      kind: claim.kind as never,
      task: claim.task as TaskName,
      input: rewritePaths(claim.input, claim.dataDir, scratch),
      runId: claim.runId,
      datasetId: null,
    });
    try {
      await sender.drain();
    } catch (err) {
      refused = err;
    }
    if (refused) throw refused;
    if (outcome.status !== 'done') return outcome;
    if (claim.runId) await sendOutputs(jobId, claim.lease, scratch, claim.runId);
    return { status: 'done', result: withWorker(toCoordinator(outcome.result)) };
  }

  bullWorker
    .run()
    .catch((err: unknown) => log(`worker ${label}: stopped taking jobs: ${(err as Error).message}`));
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearInterval(heartbeatTimer);
  if (active.size > 0)
    log(
      `worker ${label}: stopping; its ${active.size} job(s) go back to the queue within ${Math.round(lockMs / 1000)} s and resume elsewhere`,
    );
  for (const job of active.values()) await job.runner?.close();
  await bullWorker.close(true);
  return {
    jobs: jobsDone,
    downloadedBytes: client.traffic.downloaded,
    uploadedBytes: client.traffic.uploaded,
  };
}
