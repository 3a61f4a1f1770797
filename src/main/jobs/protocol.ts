// The messages between the job runner (main side) and a worker process (engine side). Plain JSON and
// typed arrays only: tensors never leave the worker (DESIGN.md, "How data flows").
import type { TaskEvent } from '../engine/types';

/** The engine tasks a worker can run; the worker's task table maps each to its function. */
export type TaskName =
  'importTask' | 'trainTask' | 'pruneTask' | 'sensitivityTask' | 'exportTask' | 'exportDatasetTask';

/** A failure as it crosses the process boundary. `code` carries e.g. 'PARITY_FAILED' from a task. */
export interface WorkerError {
  name: string;
  message: string;
  code?: string;
  /** What the failure carries for the user (e.g. an import's list of left-out files); plain JSON. */
  details?: unknown;
  stack?: string;
}

export type ToWorker =
  | { type: 'start'; jobId: string; task: string; input: unknown; dataDir: string }
  /** Graceful cancel: the worker aborts the task's signal; the runner kills it if it does not stop. */
  | { type: 'cancel' }
  /** The runner has the final answer; the worker may exit now. */
  | { type: 'shutdown' };

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'event'; event: TaskEvent }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: WorkerError };

export function isFromWorker(value: unknown): value is FromWorker {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'event' || type === 'done' || type === 'failed';
}

export function isToWorker(value: unknown): value is ToWorker {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'start' || type === 'cancel' || type === 'shutdown';
}

/** Turns anything a task throws into the error that crosses the boundary, keeping name, code and details. */
export function toWorkerError(err: unknown): WorkerError {
  if (err instanceof Error) {
    const { code, details } = err as { code?: unknown; details?: unknown };
    return {
      name: err.name,
      message: err.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(details !== undefined ? { details } : {}),
      ...(err.stack ? { stack: err.stack } : {}),
    };
  }
  return { name: 'Error', message: String(err) };
}
