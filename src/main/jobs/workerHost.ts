// The child side of the protocol: receives one 'start', runs the task with an AbortSignal, posts the
// task's events and its result back. Runs under child_process.fork (process.send) or Electron's
// utilityProcess (process.parentPort) — detected here so no electron import is needed.
import type { TaskContext, TaskEvent } from '../engine/types';
import type { FromWorker, ToWorker } from './protocol';
import { isToWorker, toWorkerError } from './protocol';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each task has its own input type
export type TaskFunction = (input: any, ctx: TaskContext) => Promise<unknown>;
/** Task name → a loader, so a worker only imports the engine code its one job needs. */
export type TaskTable = Record<string, () => Promise<TaskFunction>>;

export interface ParentPort {
  post(message: FromWorker): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface UtilityParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

export function detectParentPort(): ParentPort {
  const utility = (process as unknown as { parentPort?: UtilityParentPort }).parentPort;
  if (utility) {
    return {
      post: (message) => utility.postMessage(message),
      onMessage: (listener) => utility.on('message', (e) => listener(e.data)),
    };
  }
  if (typeof process.send === 'function') {
    return {
      post: (message) => {
        process.send?.(message);
      },
      onMessage: (listener) => process.on('message', listener),
    };
  }
  throw new Error('worker started without a parent: run it through the job runner');
}

export function runWorker(table: TaskTable, port: ParentPort = detectParentPort()): void {
  const controller = new AbortController();
  let started = false;

  port.onMessage((raw) => {
    if (!isToWorker(raw)) return;
    const message: ToWorker = raw;
    if (message.type === 'cancel') {
      controller.abort();
      return;
    }
    if (message.type === 'shutdown') {
      process.exit(0);
    }
    if (message.type === 'start' && !started) {
      started = true;
      void runTask(table, message, controller.signal, port);
    }
  });
  // Ctrl-C in a terminal signals the whole process group: the parent decides (it sends 'cancel'), so the
  // worker must not die of SIGINT on its own and turn a cancel into a crash.
  process.on('SIGINT', () => undefined);
  // A worker whose parent died (a crashed app, a killed CLI) must not train on as an orphan.
  if (typeof process.send === 'function') process.on('disconnect', () => process.exit(1));
  port.post({ type: 'ready', pid: process.pid });
}

async function runTask(
  table: TaskTable,
  start: Extract<ToWorker, { type: 'start' }>,
  signal: AbortSignal,
  port: ParentPort,
): Promise<void> {
  try {
    const load = Object.hasOwn(table, start.task) ? table[start.task] : undefined;
    if (!load) throw new Error(`unknown task "${start.task}"`);
    const task = await load();
    const ctx: TaskContext = {
      signal,
      dataDir: start.dataDir,
      emit: (event: TaskEvent) => port.post({ type: 'event', event }),
    };
    const result = await task(start.input, ctx);
    port.post({ type: 'done', result });
  } catch (err) {
    port.post({ type: 'failed', error: toWorkerError(err) });
  }
}
