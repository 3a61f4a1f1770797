import * as tf from '@tensorflow/tfjs';
import { unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { wasmWorkerFileName } from './files/scratchNames';

const require = createRequire(import.meta.url);

/**
 * tfjs 4.22 runs wasm single-threaded under Node (tensorflow/tfjs#3830), though its threaded SIMD build
 * works there once three browser-only assumptions are bridged, which this does for the duration of the
 * wasm backend's start-up only (call the returned function right after tf.setBackend('wasm')):
 *  1. the multithread flag answers false under Node → set it;
 *  2. the pthread worker script is handed over as a blob: URL, which Node's Worker cannot load → the
 *     same script goes to a file, and createObjectURL returns that file's path for it;
 *  3. workers are told to load the main script from a Blob → a string path to the package's own
 *     emscripten script is offered instead (workers under Node load string paths with fs);
 *  4. the C++ side caps threads at logical cores ÷ 2 (it assumes hyper-threading), i.e. 1 on a 2-vCPU
 *     machine → os.cpus() reports twice the wanted count while the module starts.
 */
export function prepareThreadedWasm(threads: number, scratchDir: string): () => void {
  const { wasmWorkerContents } =
    require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents: string;
    };
  const mainScript =
    require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const workerPath = join(scratchDir, wasmWorkerFileName());
  // the backend escapes newlines the same way before making its Blob: string literals inside need it
  writeFileSync(workerPath, wasmWorkerContents.replace(/\n/g, '\\n'));
  // Gone with the process; after a kill -9, the next start's sweep removes it (the pid is in its name).
  process.once('exit', () => {
    try {
      unlinkSync(workerPath);
    } catch {
      // already gone
    }
  });

  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = (blob: Blob) =>
    blob.type === 'application/javascript' ? workerPath : createObjectURL(blob);
  Object.defineProperty(Object.prototype, 'mainScriptUrlOrBlob', {
    configurable: true,
    set() {},
    get: () => mainScript,
  });
  const cpus = os.cpus;
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: threads * 2 }, (_, i) => real[i % real.length]!);
  };
  return () => {
    os.cpus = cpus;
    delete (Object.prototype as { mainScriptUrlOrBlob?: unknown }).mainScriptUrlOrBlob;
    URL.createObjectURL = createObjectURL;
  };
}

interface PthreadRegistry {
  unusedWorkers?: { unref(): void }[];
  runningWorkers?: { unref(): void }[];
}

/**
 * Emscripten's pthread workers are ordinary worker_threads that keep Node's event loop alive, so a
 * process that trained on threaded wasm would never exit. The main thread waits for them with atomics,
 * not events, so after start-up they need no ref.
 */
export function unrefWasmWorkers(): number {
  const registry = (tf.backend() as unknown as { wasm?: { PThread?: PthreadRegistry } }).wasm?.PThread;
  const workers = [...(registry?.unusedWorkers ?? []), ...(registry?.runningWorkers ?? [])];
  for (const worker of workers) worker.unref();
  return workers.length;
}
