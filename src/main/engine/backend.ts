import * as tf from '@tensorflow/tfjs';
import type { BackendInfo, BackendName } from '../../shared/dto';
import { registerWasmTrainingKernels } from './kernels';

// tfjs-node is an optional dependency that is often absent (its native library is downloaded at
// install time); a variable specifier keeps TypeScript and bundlers from insisting that it exists.
const tfjsNodeModule = '@tensorflow/tfjs-node';

export interface InitBackendOptions {
  /** Ask the wasm backend for this many threads; it gets 1 wherever wasm threads are unavailable. */
  wasmThreads?: number;
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
    const wasm = await tryWasm(options.wasmThreads);
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

async function tryWasm(requestedThreads: number | undefined): Promise<Attempt> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    if (requestedThreads !== undefined && tf.getBackend() !== 'wasm') wasm.setThreadsCount(requestedThreads);
    if (!(await tf.setBackend('wasm'))) return { ok: false, why: 'wasm backend failed to start' };
    await tf.ready();
    const threads = wasm.getThreadsCount();
    // tfjs 4.x disables wasm threads under Node (tensorflow/tfjs#3830): say so, since users see "1 thread".
    const note =
      threads === 1 && tf.env().getBool('IS_NODE') ? ' (tfjs runs wasm single-threaded under Node)' : '';
    return { ok: true, threads, note };
  } catch (error) {
    return { ok: false, why: `wasm backend failed to start (${firstLine(error)})` };
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
