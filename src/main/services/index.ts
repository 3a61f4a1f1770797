// createAppServices: the API contract implemented on store + jobs — the one object every transport
// (Electron IPC, HTTP/WebSocket, the CLI) drives through `dispatch` and `subscribe`.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Handlers, Subscribe } from '../../shared/api';
import type { Result } from '../../shared/errors';
import { createForkLauncher, type WorkerLauncher } from '../jobs/launcher';
import { sweepLeftovers, type SweepReport } from '../engine/files/sweepLeftovers';
import { openStore, type IsOwnerAlive, type Store } from '../store';
import type { ServiceContext } from './context';
import { createDispatch } from './dispatch';
import { createExportDownload, type ExportDownload } from './exportDownload';
import { createEventBus } from './events';
import { createDatasetHandlers } from './handlers/datasets';
import { createExportHandlers } from './handlers/exports';
import { createJobAndSettingsHandlers } from './handlers/jobsSettings';
import { createRunHandlers } from './handlers/runs';
import { createSystemHandlers, type SystemOptions } from './handlers/system';
import { createJobCoordinator, type JobResult } from './jobCoordinator';
import { localQueueStatus, prepareQueueCoordination, type QueueCoordination } from './queueCoordination';
import type { RemoteAccess } from '../jobs/queue/queueRunner';

export interface AppServicesOptions extends SystemOptions {
  dataDir: string;
  mode: 'electron' | 'serve' | 'cli';
  /** How workers start: Electron's utilityProcess in the app; child_process.fork by default. */
  launcher?: WorkerLauncher;
  /** Defaults to the version in package.json. */
  appVersion?: string;
  /** Jobs at once; defaults to the saved setting (itself 1 by default). */
  concurrency?: number;
  /** How long a cancelled worker may take to stop before it is killed (default 5 s). */
  cancelGraceMs?: number;
  /** How often buffered progress is written to the database (default 250 ms). */
  flushIntervalMs?: number;
  /** Jobs waiting or running at once (default jobLimits.maxQueuedJobs); more is refused with LIMIT. */
  maxQueuedJobs?: number;
  /** Finished jobs whose result stays in memory for a late waitForJob (default jobLimits.keepFinishedJobs). */
  keepFinishedJobs?: number;
  /** Whether a run's owner process is still running (pid + start time); tests inject it. */
  isOwnerAlive?: IsOwnerAlive;
  /**
   * redis://… of a BullMQ queue: train, prune, sensitivity and export jobs go there for `prunelab
   * worker`s instead of local worker processes. null: local; undefined: the saved setting (app and
   * serve mode; the CLI uses only what it is given).
   */
  queueUrl?: string | null;
  /** How long to wait for Redis at start (default 10 s). */
  queueConnectTimeoutMs?: number;
  /** Where the queue reports what it does (stderr by default). */
  log?: (line: string) => void;
}

export interface AppServices {
  handlers: Handlers;
  /** The one validated entry point: never throws; errors come back as data. */
  dispatch(name: string, rawPayload: unknown): Promise<Result<unknown>>;
  subscribe: Subscribe;
  /** An export zipped for download (serve mode's HTTP route); never throws, errors come back as data. */
  exportDownload(artifactId: unknown): Promise<Result<ExportDownload>>;
  /** Waits for a job to end and its outcome to be recorded (the CLI uses this). */
  waitForJob(jobId: string): Promise<JobResult>;
  /** Runs the recovery marked as interrupted when these services started. */
  readonly interruptedAtStart: string[];
  /** What a killed PruneLab process had left behind, removed (or put back) when these services started. */
  readonly sweptAtStart: SweepReport;
  readonly dataDir: string;
  readonly store: Store;
  /** With a queue: what the server serves to `prunelab worker`s; null when jobs run locally. */
  readonly remote: RemoteAccess | null;
  /** With a queue: its URL (password masked); null when jobs run locally. */
  readonly queueDisplay: string | null;
  /** Runs left unfinished on the queue by the previous start, resumed by this one. */
  readonly resumedFromQueue: string[];
  /** With a queue: the URL its workers reach this process at, once a server listens (shown in the UI). */
  announceCoordinator(origin: string): void;
  /** Kills running workers (their runs become 'interrupted', resumable) and closes the database. */
  close(): Promise<void>;
}

export type { JobResult } from './jobCoordinator';
export type { ExportDownload } from './exportDownload';
export type { WorkerLauncher, WorkerHandle, WorkerExit } from '../jobs/launcher';
export { createForkLauncher } from '../jobs/launcher';
export { resolveDataDir } from './dataDir';
export { uploadSessionDir } from './uploadSession';

export function readAppVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function createAppServices(options: AppServicesOptions): Promise<AppServices> {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true });
  const store = openStore(
    join(dataDir, 'prunelab.db'),
    options.isOwnerAlive ? { isOwnerAlive: options.isOwnerAlive } : {},
  );
  const interruptedAtStart = store.markInterruptedRuns();
  const sweptAtStart = await sweepLeftovers(dataDir);
  const bus = createEventBus();
  const appVersion = options.appVersion ?? readAppVersion();
  const queueUrl =
    options.queueUrl !== undefined
      ? options.queueUrl
      : options.mode === 'cli'
        ? null
        : store.settings.get().queueUrl;
  let queue: QueueCoordination | null = null;
  try {
    if (queueUrl) {
      queue = prepareQueueCoordination({
        dataDir,
        url: queueUrl,
        version: appVersion,
        ...(options.log ? { log: options.log } : {}),
        ...(options.queueConnectTimeoutMs === undefined
          ? {}
          : { connectTimeoutMs: options.queueConnectTimeoutMs }),
      });
    }
  } catch (err) {
    store.close();
    throw err;
  }
  const jobs = createJobCoordinator({
    store,
    bus,
    launcher: options.launcher ?? createForkLauncher(),
    dataDir,
    concurrency: options.concurrency ?? store.settings.get().jobConcurrency,
    ...(options.cancelGraceMs === undefined ? {} : { cancelGraceMs: options.cancelGraceMs }),
    ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
    ...(options.maxQueuedJobs === undefined ? {} : { maxQueuedJobs: options.maxQueuedJobs }),
    ...(options.keepFinishedJobs === undefined ? {} : { keepFinishedJobs: options.keepFinishedJobs }),
    ...(queue ? { createRunner: queue.createRunner } : {}),
  });
  if (queue) {
    try {
      await queue.ready();
    } catch (err) {
      await jobs.close();
      store.close();
      throw err;
    }
  }
  const ctx: ServiceContext = {
    store,
    jobs,
    bus,
    dataDir,
    mode: options.mode,
    appVersion,
    queueStatus: queue ? () => queue.status() : async () => localQueueStatus,
  };
  const handlers: Handlers = {
    ...createSystemHandlers(ctx, options),
    ...createDatasetHandlers(
      ctx,
      options.sampleDatasetPath === undefined ? {} : { sampleDatasetPath: options.sampleDatasetPath },
    ),
    ...createRunHandlers(ctx),
    ...createExportHandlers(ctx),
    ...createJobAndSettingsHandlers(ctx),
  };
  const dispatch = createDispatch(handlers);
  const resumedFromQueue = queue ? await queue.resumeUnfinished(store, dispatch) : [];
  if (resumedFromQueue.length > 0) {
    (options.log ?? ((line: string) => console.error(line)))(
      `queue: resumed ${resumedFromQueue.length} run(s) the last start left on the queue`,
    );
  }
  let closed = false;
  return {
    handlers,
    dispatch,
    subscribe: bus.subscribe,
    exportDownload: createExportDownload(ctx),
    waitForJob: (jobId) => jobs.wait(jobId),
    interruptedAtStart,
    sweptAtStart,
    dataDir,
    store,
    remote: queue?.access ?? null,
    queueDisplay: queue?.display ?? null,
    resumedFromQueue,
    announceCoordinator: (origin) => queue?.announce(origin),
    async close() {
      if (closed) return;
      closed = true;
      await jobs.close();
      store.close();
    },
  };
}
