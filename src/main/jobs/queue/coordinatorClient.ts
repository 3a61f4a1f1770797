// How a `prunelab worker` talks to its coordinator: every call carries the worker token; a coordinator
// that cannot be reached (refused, reset, timed out, restarting) is retried with exponential back-off —
// and the worker says so on stderr — until it answers or the worker stops. What the coordinator
// refuses (a superseded lease, a job it no longer runs, a wrong token) is not retried: it comes back as
// a RemoteRefusal or an error the worker acts on.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { z } from 'zod';
import {
  claimAnswer,
  commitAnswer,
  completeAnswer,
  decodeMessage,
  encodeMessage,
  eventsAnswer,
  heartbeatAnswer,
  helloAnswer,
  msgpackType,
  RemoteRefusal,
  remotePaths,
  uploadAnswer,
  type ClaimAnswer,
  type HelloAnswer,
  type JobAction,
  type WorkerIdentity,
} from './remoteWire';
import type { JobOutcome } from '../runner';
import type { TaskEvent } from '../../engine/types';

export class CoordinatorAuthError extends Error {
  constructor(url: string) {
    super(`the coordinator at ${url} refused this worker's token (give the one it printed with --token)`);
    this.name = 'CoordinatorAuthError';
  }
}

export interface Backoff {
  /** First wait after a failure (default 1 s); doubles up to maxMs. */
  initialMs: number;
  maxMs: number;
}

export interface CoordinatorClientOptions {
  url: string;
  token: string;
  log: (line: string) => void;
  backoff?: Partial<Backoff>;
  /** Aborting it ends every retry loop (the worker is stopping). */
  signal: AbortSignal;
  /** Per-attempt time limit for small calls (default 30 s). */
  timeoutMs?: number;
}

export interface TransferCounter {
  downloaded: number;
  uploaded: number;
}

export interface CoordinatorClient {
  hello(): Promise<HelloAnswer>;
  heartbeat(worker: WorkerIdentity, running: string[]): Promise<{ cancel: string[] }>;
  claim(jobId: string, worker: WorkerIdentity): Promise<ClaimAnswer>;
  events(jobId: string, lease: string, seq: number, events: TaskEvent[]): Promise<{ cancel: boolean }>;
  upload(jobId: string, lease: string, path: string, sha256: string, file: string): Promise<void>;
  commit(jobId: string, lease: string, path: string, keepSiblings?: string[]): Promise<void>;
  complete(jobId: string, lease: string, outcome: JobOutcome): Promise<{ recorded: boolean }>;
  /** The blob's bytes as a stream (the caller verifies the hash). */
  blob(sha256: string): Promise<Readable>;
  readonly traffic: TransferCounter;
}

/** Network-level failures: worth waiting out. */
class Unreachable extends Error {}

const delay = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });

export function createCoordinatorClient(options: CoordinatorClientOptions): CoordinatorClient {
  const base = options.url.replace(/\/+$/, '');
  const backoff: Backoff = { initialMs: 1000, maxMs: 30_000, ...options.backoff };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const traffic: TransferCounter = { downloaded: 0, uploaded: 0 };
  let unreachableSince: number | null = null;

  async function attempt(path: string, init: RequestInit, timed: boolean): Promise<Response> {
    const signals = [options.signal];
    if (timed) signals.push(AbortSignal.timeout(timeoutMs));
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${options.token}` },
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      if (options.signal.aborted) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Unreachable(cause?.code ?? cause?.message ?? (err as Error).message);
    }
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      await response.body?.cancel();
      throw new Unreachable(`HTTP ${response.status}`);
    }
    return response;
  }

  /**
   * One call, retried while the coordinator cannot be reached. `localFailure` names an error of this
   * side (a file the body streams from that went away): fetch reports it like a network failure, but
   * no retry can cure it, so it is thrown as it is.
   */
  async function send(
    path: string,
    init: () => RequestInit,
    timed = true,
    localFailure: () => Error | null = () => null,
  ): Promise<Response> {
    let wait = backoff.initialMs;
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        const response = await attempt(path, init(), timed);
        if (unreachableSince !== null) {
          options.log(
            `coordinator ${base} answers again (after ${((Date.now() - unreachableSince) / 1000).toFixed(1)} s)`,
          );
          unreachableSince = null;
        }
        return response;
      } catch (err) {
        const local = localFailure();
        if (local) throw local;
        if (!(err instanceof Unreachable)) throw err;
        unreachableSince ??= Date.now();
        options.log(
          `coordinator ${base} unreachable (${err.message}); retrying in ${(wait / 1000).toFixed(1)} s (attempt ${attemptNo})`,
        );
        await delay(wait, options.signal);
        wait = Math.min(backoff.maxMs, wait * 2);
      }
    }
  }

  async function answer<T>(response: Response, schema: z.ZodType<T>, what: string): Promise<T> {
    const type = response.headers.get('content-type') ?? '';
    const bytes = new Uint8Array(await response.arrayBuffer());
    traffic.downloaded += bytes.length;
    const body: unknown = type.startsWith(msgpackType)
      ? decodeMessage(bytes)
      : JSON.parse(new TextDecoder().decode(bytes) || 'null');
    if (response.status === 401) throw new CoordinatorAuthError(base);
    const envelope = body as { ok?: boolean; value?: unknown; error?: { code?: string; message?: string } };
    if (!response.ok || envelope?.ok !== true) {
      const message = envelope?.error?.message ?? `HTTP ${response.status}`;
      if (response.status === 410) throw new RemoteRefusal('gone', message);
      if (response.status === 409) throw new RemoteRefusal('superseded', message);
      throw new Error(`the coordinator refused ${what}: ${message}`);
    }
    const parsed = schema.safeParse(envelope.value);
    if (!parsed.success) throw new Error(`the coordinator answered ${what} with an unexpected shape`);
    return parsed.data;
  }

  function jobPath(jobId: string, action: JobAction, query = ''): string {
    return `${remotePaths.jobs}/${encodeURIComponent(jobId)}/${action}${query}`;
  }

  const json = (value: unknown): (() => RequestInit) => {
    const body = JSON.stringify(value);
    return () => {
      traffic.uploaded += body.length;
      return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    };
  };
  const packed = (value: unknown): (() => RequestInit) => {
    const body = encodeMessage(value);
    return () => {
      traffic.uploaded += body.length;
      return { method: 'POST', headers: { 'content-type': msgpackType }, body };
    };
  };

  return {
    traffic,
    async hello() {
      return answer(await send(remotePaths.hello, () => ({ method: 'GET' })), helloAnswer, 'hello');
    },
    async heartbeat(worker, running) {
      return answer(
        await send(remotePaths.heartbeat, json({ worker, running })),
        heartbeatAnswer,
        'a heartbeat',
      );
    },
    async claim(jobId, worker) {
      return answer(
        await send(jobPath(jobId, 'claim'), json({ worker })),
        claimAnswer,
        `the claim of ${jobId}`,
      );
    },
    async events(jobId, lease, seq, events) {
      return answer(
        await send(jobPath(jobId, 'events'), packed({ lease, seq, events })),
        eventsAnswer,
        `events of ${jobId}`,
      );
    },
    async upload(jobId, lease, path, sha256, file) {
      const query = `?${new URLSearchParams({ lease, path, sha256 }).toString()}`;
      let readFailure: Error | null = null;
      const response = await send(
        jobPath(jobId, 'files', query),
        () => {
          readFailure = null;
          const stream = createReadStream(file);
          // Registered before the stream is handed to fetch, so it is known when fetch fails.
          stream.on('error', (err) => (readFailure = err));
          stream.on('data', (chunk) => (traffic.uploaded += chunk.length));
          return {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream' },
            body: Readable.toWeb(stream) as unknown as RequestInit['body'],
            duplex: 'half',
          } as RequestInit;
        },
        false,
        () => readFailure,
      );
      await answer(response, uploadAnswer, `the upload of ${path}`);
    },
    async commit(jobId, lease, path, keepSiblings) {
      await answer(
        await send(
          jobPath(jobId, 'commit'),
          json({ lease, path, ...(keepSiblings ? { keepSiblings } : {}) }),
        ),
        commitAnswer,
        `the commit of ${path}`,
      );
    },
    async complete(jobId, lease, outcome) {
      return answer(
        await send(jobPath(jobId, 'complete'), packed({ lease, outcome })),
        completeAnswer,
        `the outcome of ${jobId}`,
      );
    },
    async blob(sha256) {
      const response = await send(`${remotePaths.blobs}/${sha256}`, () => ({ method: 'GET' }), false);
      if (response.status !== 200 || !response.body) {
        await answer(response, helloAnswer, `the file ${sha256}`);
        throw new Error(`the coordinator did not send the file ${sha256}`);
      }
      const stream = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
      stream.on('data', (chunk: Buffer) => (traffic.downloaded += chunk.length));
      return stream;
    },
  };
}
