// What a `prunelab worker` and its coordinator say to each other over the coordinator's authenticated
// HTTP: the routes, the shape of every body (zod, checked on arrival at both ends), and the binary
// encoding of event batches and results (msgpack: compact, and it keeps typed arrays typed). The queue
// itself (BullMQ on Redis) carries only job ids; inputs, files and results travel here.
import { Packr } from 'msgpackr';
import { z } from 'zod';

export const remotePaths = {
  root: '/api/worker',
  hello: '/api/worker/hello',
  heartbeat: '/api/worker/heartbeat',
  /** + `/<sha256>` */
  blobs: '/api/worker/blobs',
  /** + `/<jobId>/(claim|events|files|commit|complete)` */
  jobs: '/api/worker/jobs',
} as const;

export type JobAction = 'claim' | 'events' | 'files' | 'commit' | 'complete';
export const jobActions: readonly JobAction[] = ['claim', 'events', 'files', 'commit', 'complete'];

export const remoteLimits = {
  /** One JSON or msgpack body (an event batch, a result). */
  maxMessageBytes: 32 * 1024 * 1024,
  /** One uploaded file (a checkpoint's weights, an export). */
  maxFileBytes: 2 * 1024 * 1024 * 1024,
  /** Everything one job may upload. */
  maxJobUploadBytes: 8 * 1024 * 1024 * 1024,
  maxEventsPerBatch: 5000,
} as const;

export const sha256Pattern = /^[a-f0-9]{64}$/;
/** BullMQ job ids the coordinator makes (job-<pid>-<time>-<n>). */
export const remoteJobIdPattern = /^[A-Za-z0-9_-]{1,128}$/;

const packr = new Packr({ useRecords: false, moreTypes: true });
export const msgpackType = 'application/x-msgpack';
export const encodeMessage = (value: unknown): Buffer => packr.pack(value);
export const decodeMessage = (bytes: Uint8Array): unknown => packr.unpack(bytes);

export const workerIdentity = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/),
  host: z.string().min(1).max(255),
  pid: z.number().int().nonnegative(),
  concurrency: z.number().int().min(1).max(256),
  version: z.string().max(64),
});
export type WorkerIdentity = z.infer<typeof workerIdentity>;

export const helloAnswer = z.strictObject({
  coordinatorId: z.string(),
  queueName: z.string(),
  version: z.string(),
});
export type HelloAnswer = z.infer<typeof helloAnswer>;

export const heartbeatBody = z.strictObject({
  worker: workerIdentity,
  running: z.array(z.string().regex(remoteJobIdPattern)).max(256),
});
export const heartbeatAnswer = z.strictObject({ cancel: z.array(z.string()) });

/** A file the worker must have, by its path under the coordinator's data directory. */
export const remoteFile = z.strictObject({
  path: z.string().min(1).max(1024),
  sha256: z.string().regex(sha256Pattern),
  size: z.number().int().nonnegative(),
});
export type RemoteFile = z.infer<typeof remoteFile>;

export const claimBody = z.strictObject({ worker: workerIdentity });
export const claimAnswer = z.strictObject({
  lease: z.string(),
  task: z.string(),
  kind: z.string(),
  runId: z.string().nullable(),
  /** The task's input with paths as they are on the coordinator (under `dataDir`). */
  input: z.unknown(),
  dataDir: z.string(),
  files: z.array(remoteFile),
});
export type ClaimAnswer = z.infer<typeof claimAnswer>;

const finite = z.number().finite();
const backendEvent = z.strictObject({
  type: z.literal('backend'),
  backend: z.looseObject({ name: z.string(), threads: finite, reason: z.string() }),
});
/** Task events as the engine emits them (src/main/engine/types.ts), checked on arrival. */
export const taskEvent = z.discriminatedUnion('type', [
  backendEvent,
  z.strictObject({
    type: z.literal('progress'),
    phase: z.string().max(64),
    done: finite,
    total: finite,
    message: z.string().max(1000).optional(),
  }),
  z.strictObject({
    type: z.literal('epoch'),
    epoch: z.number().int().nonnegative(),
    phase: z.enum(['train', 'finetune']),
    values: z.array(
      z.strictObject({ split: z.enum(['train', 'validation', 'test']), name: z.string(), value: z.number() }),
    ),
  }),
  z.strictObject({
    type: z.literal('checkpoint'),
    epoch: z.number().int().nonnegative(),
    phase: z.enum(['train', 'finetune']),
    path: z.string(),
  }),
  z.strictObject({
    type: z.literal('pruneStep'),
    report: z.looseObject({ step: finite, achievedSparsity: finite, layers: z.array(z.unknown()) }),
  }),
  z.strictObject({
    type: z.literal('evaluation'),
    which: z.enum(['dense', 'final']),
    report: z.looseObject({ accuracy: finite, loss: finite }),
  }),
  z.strictObject({ type: z.literal('sensitivity'), curve: z.looseObject({ layer: z.string() }) }),
]);

export const eventsBody = z.strictObject({
  lease: z.string(),
  /** Batches are numbered per lease; a batch sent again after a lost answer is not recorded twice. */
  seq: z.number().int().nonnegative(),
  events: z.array(taskEvent).max(remoteLimits.maxEventsPerBatch),
});
export const eventsAnswer = z.strictObject({ cancel: z.boolean() });

export const commitBody = z.strictObject({
  lease: z.string(),
  path: z.string().min(1).max(1024),
  /** Names beside `path` the worker still has; the coordinator drops the other sibling folders. */
  keepSiblings: z.array(z.string().max(255)).max(10_000).optional(),
});

export const workerError = z.strictObject({
  name: z.string(),
  message: z.string(),
  code: z.string().optional(),
  stack: z.string().optional(),
});

export const remoteOutcome = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('done'), result: z.unknown() }),
  z.strictObject({ status: z.literal('failed'), error: workerError, crashed: z.boolean() }),
  z.strictObject({ status: z.literal('cancelled'), forced: z.boolean(), reason: z.string().optional() }),
]);
export const completeBody = z.strictObject({ lease: z.string(), outcome: remoteOutcome });
export const completeAnswer = z.strictObject({ recorded: z.boolean() });
export const uploadAnswer = z.strictObject({ bytes: z.number().int().nonnegative() });
export const commitAnswer = z.strictObject({ committed: z.literal(true) });

/**
 * Why the coordinator refused a job call; the worker acts on the kind, not the words: 'gone' (the job
 * ended or was cancelled), 'superseded' (another worker holds it now), 'invalid' (a bad request).
 */
export class RemoteRefusal extends Error {
  constructor(
    readonly kind: 'gone' | 'superseded' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'RemoteRefusal';
  }
}
