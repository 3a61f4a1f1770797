import * as tf from '@tensorflow/tfjs';
import type { BackendInfo, BackendName } from '../../shared/dto';
import { availableParallelism, tmpdir } from 'node:os';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { attachSimdKernels, registerWasmTrainingKernels } from './kernels';
import { quietTfjs } from './quietTfjs';
import { prepareThreadedWasm, unrefWasmWorkers } from './wasmThreads';

// tfjs-node is an optional dependency that is often absent (its native library is downloaded at
// install time); a variable specifier keeps TypeScript and bundlers from insisting that it exists.
const tfjsNodeModule = '@tensorflow/tfjs-node';

export interface InitBackendOptions {
  /**
   * Threads for the wasm backend (default: PRUNELAB_WASM_THREADS, else one per core, at most 4; 1 turns
   * threads off). Fixed once wasm has started in this process; more than 1 uses the threaded build
   * through the bridges of wasmThreads.ts (bench:train: +28% with 2 threads on 2 free cores).
   */
  wasmThreads?: number;
  /** where the threaded build's worker script is written (default: the OS temp folder) */
  scratchDir?: string;
}

/**
 * Picks the fastest backend that works here — tfjs-node (native TensorFlow), then WebAssembly with our
 * training kernels, then plain JavaScript — and says which one and why, in words a user reads.
 * `preferred` forces one backend (the bench and the tests use it) and still falls back if it fails.
 */
export async function initBackend(
  preferred: BackendName | 'auto' = 'auto',
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  quietTfjs();
  const notes: string[] = [];
  if (preferred === 'auto' || preferred === 'tensorflow') {
    const native = await tryTfjsNode();
    if (native.ok)
      return { name: 'tensorflow', threads: native.threads, reason: 'using tfjs-node (native TensorFlow)' };
    notes.push(native.why);
  } else {
    notes.push(`${preferred} requested`);
  }
  if (preferred !== 'cpu') {
    const wasm = await tryWasm(options.wasmThreads ?? threadsFromEnv(), options.scratchDir ?? tmpdir());
    if (wasm.ok) {
      return {
        name: 'wasm',
        threads: wasm.threads,
        reason: `${notes.join('; ')}: using wasm, ${wasm.threads} thread${wasm.threads === 1 ? '' : 's'}${wasm.note}`,
      };
    }
    notes.push(wasm.why);
  }
  if (!(await tf.setBackend('cpu')))
    throw new Error(`No TensorFlow.js backend could start (${notes.join('; ')}).`);
  await tf.ready();
  return { name: 'cpu', threads: 1, reason: `${notes.join('; ')}: using cpu (plain JavaScript, slowest)` };
}

type Attempt = { ok: true; threads: number; note: string } | { ok: false; why: string };

async function tryTfjsNode(): Promise<Attempt> {
  try {
    await import(/* @vite-ignore */ tfjsNodeModule);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      return { ok: false, why: 'tfjs-node not installed' };
    }
    return { ok: false, why: `tfjs-node failed to load (${firstLine(error)})` };
  }
  try {
    if (await tf.setBackend('tensorflow')) {
      await tf.ready();
      return { ok: true, threads: 0, note: '' };
    }
  } catch (error) {
    return { ok: false, why: `tfjs-node failed to start (${firstLine(error)})` };
  }
  return { ok: false, why: 'tfjs-node failed to start' };
}

let wasmStarted = false;

async function tryWasm(requestedThreads: number, scratchDir: string): Promise<Attempt> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    let restore = () => {};
    const threaded = !wasmStarted && requestedThreads > 1;
    if (threaded) {
      restore = prepareThreadedWasm(requestedThreads, scratchDir);
      wasm.setThreadsCount(requestedThreads);
    }
    try {
      if (!(await tf.setBackend('wasm'))) return { ok: false, why: 'wasm backend failed to start' };
      await tf.ready();
    } finally {
      restore();
    }
    const threads = wasm.getThreadsCount();
    await attachSimdKernels(tf.backend() as unknown as BackendWasm, threads);
    wasmStarted = true;
    if (threaded) unrefWasmWorkers();
    const note =
      threads < requestedThreads
        ? ` (asked for ${requestedThreads}; threads are fixed when wasm first starts)`
        : '';
    return { ok: true, threads, note };
  } catch (error) {
    return { ok: false, why: `wasm backend failed to start (${firstLine(error)})` };
  }
}

function threadsFromEnv(): number {
  const value = Number(process.env.PRUNELAB_WASM_THREADS);
  if (Number.isInteger(value) && value > 0) return value;
  return Math.min(4, Math.max(1, availableParallelism()));
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
