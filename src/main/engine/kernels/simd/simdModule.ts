import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import wabtInit from 'wabt';
import type { PatchGeometry } from '../patchGeometry';
import { gemmWat } from './gemmWat';
import { im2colWat } from './im2colWat';
import { optimizerWat } from './optimizerWat';
import { poolWat } from './poolWat';
import { reduceWat } from './reduceWat';
import { startSimdThreads, type ParallelFunction, type SimdThreads } from './simdThreads';

export type PoolShapes = [batch: number, h: number, w: number, c: number, oh: number, ow: number];

/** Byte offsets into tfjs's wasm heap; sizes in elements. */
export interface SimdExports {
  gemmTN(a: number, b: number, c: number, n: number, m: number, p: number, m0: number, m1: number): void;
  gemmNT(a: number, b: number, c: number, m: number, k: number, p: number, m0: number, m1: number): void;
  gemmNN(a: number, b: number, c: number, m: number, k: number, p: number, m0: number, m1: number): void;
  /** images [b0, b1) */
  col2im(cols: number, dx: number, batch: number, ...rest: [...PatchGeometry, b0: number, b1: number]): void;
  /** patch rows [row0, row1) */
  im2col(x: number, out: number, ...rest: [...PatchGeometry, row0: number, row1: number]): void;
  maxPoolGrad(
    ...args: [
      x: number,
      dy: number,
      dx: number,
      ...shapes: PoolShapes,
      fh: number,
      fw: number,
      sh: number,
      sw: number,
      pt: number,
      pl: number,
    ]
  ): void;
  /** images [b0, b1) */
  maxPoolGrad2x2(
    ...args: [x: number, dy: number, dx: number, ...shapes: PoolShapes, b0: number, b1: number]
  ): void;
  columnSums(x: number, out: number, rows: number, columns: number): void;
  adamStep(
    w: number,
    g: number,
    m: number,
    v: number,
    wOut: number,
    mOut: number,
    vOut: number,
    n: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    learningRate: number,
    epsilon: number,
  ): void;
  sgdStep(
    w: number,
    g: number,
    u: number,
    wOut: number,
    uOut: number,
    n: number,
    momentum: number,
    learningRate: number,
  ): void;
}

/** PruneLab's SIMD kernels, instantiated on the wasm backend's own memory: they read and write tensors in place. */
export interface SimdKernels {
  readonly exports: SimdExports;
  /** threads the parallel functions use (1: the calling thread only) */
  readonly threads: number;
  /**
   * exports[name](...args, from, to) over [0, total), split over the threads in shares aligned to
   * `grain` when `work` (multiply-adds or bytes moved) is worth a hand-off; same bits either way
   */
  run(name: ParallelFunction, args: number[], total: number, grain: number, work: number): void;
  /** heap byte offset of a tensor's data */
  offsetOf(t: tf.TensorInfo): number;
}

/** The module text; `shared` matches the threaded build's shared memory (its import must say so). */
export function simdModuleText(shared: boolean): string {
  const memory = shared ? '(memory 1 65536 shared)' : '(memory 1)';
  return `(module
  (import "env" "memory" ${memory})
  ${gemmWat}
  ${im2colWat}
  ${poolWat}
  ${reduceWat}
  ${optimizerWat})`;
}

/** The part of the WebAssembly JS API used here (TypeScript's Node types leave it out without the DOM lib). */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: object }>;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const compiled = new Map<boolean, Promise<object>>();

/** Assembled from source text on first use (wabt); the same text always gives the same binary. */
async function compileModule(shared: boolean): Promise<object> {
  let pending = compiled.get(shared);
  if (!pending) {
    pending = (async () => {
      const wabt = await wabtInit();
      const parsed = wabt.parseWat('prunelab-kernels.wat', simdModuleText(shared), {
        simd: true,
        threads: true,
        bulk_memory: true,
      });
      try {
        return await webAssembly.compile(parsed.toBinary({}).buffer);
      } finally {
        parsed.destroy();
      }
    })();
    compiled.set(shared, pending);
  }
  return pending;
}

/** The wasm backend's memory: exported by the single-threaded build, created in JS by the threaded one. */
function backendMemory(backend: BackendWasm): WasmMemory {
  const module = backend.wasm as unknown as { wasmMemory?: unknown; asm?: { memory?: unknown } };
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!(memory instanceof webAssembly.Memory))
    throw new Error('The wasm backend does not expose its memory.');
  return memory;
}

const attached = new WeakMap<object, SimdKernels>();

/** Below this much work a hand-off to the helper threads costs more than it saves. */
const parallelWork = 1 << 20;

/**
 * Instantiates the kernels on `backend`'s memory, once per backend; with `threads` > 1 (the threaded
 * build's shared memory) also `threads` − 1 helper threads running the same module on the same memory.
 */
export async function attachSimdKernels(backend: BackendWasm, threads = 1): Promise<SimdKernels> {
  const existing = attached.get(backend);
  if (existing) return existing;
  const memory = backendMemory(backend);
  const shared = memory.buffer instanceof SharedArrayBuffer;
  const module = await compileModule(shared);
  const instance = await webAssembly.instantiate(module, { env: { memory } });
  const exports = instance.exports as unknown as SimdExports;
  const helpers: SimdThreads | null =
    shared && threads > 1 ? await startSimdThreads(module, memory, threads, exports) : null;
  const kernels: SimdKernels = {
    exports,
    threads: helpers?.threads ?? 1,
    run(name, args, total, grain, work) {
      // each thread needs at least two grains, or the shares come out lopsided (9 filter taps: 8 + 1)
      if (!helpers || work < parallelWork || total < 2 * grain * helpers.threads) {
        (exports[name] as (...a: number[]) => void)(...args, 0, total);
      } else {
        helpers.run(name, args, total, grain);
      }
    },
    offsetOf: (t) => backend.dataIdMap.get(t.dataId)!.memoryOffset,
  };
  attached.set(backend, kernels);
  return kernels;
}

/** The kernels attached to `backend`, or null (another backend, or not attached). */
export function maybeSimdKernelsOf(backend: tf.KernelBackend): SimdKernels | null {
  return attached.get(backend) ?? null;
}

/** The kernels attached to `backend`; wasm kernels call this, after initBackend attached them. */
export function simdKernelsOf(backend: tf.KernelBackend): SimdKernels {
  const kernels = attached.get(backend);
  if (!kernels)
    throw new Error('PruneLab SIMD kernels are not attached to this wasm backend (initBackend does it).');
  return kernels;
}
