import { Worker } from 'node:worker_threads';

/** Functions the helpers can run, by index in the control block. */
export const parallelFunctions = ['gemmTN', 'gemmNN', 'im2col', 'col2im', 'maxPoolGrad2x2'] as const;
export type ParallelFunction = (typeof parallelFunctions)[number];

// control block (Int32): [generation, done, function, argCount, args…(32), ranges: from/to per helper]
const GENERATION = 0;
const DONE = 1;
const FUNCTION = 2;
const ARG_COUNT = 3;
const ARGS = 4;
const MAX_ARGS = 32;
const RANGES = ARGS + MAX_ARGS;
const STOP = -1;

// Helpers are plain worker_threads running this script: each instantiates the same module on the same
// shared memory and waits on the control block. The last two arguments of every parallel function are
// the [from, to) range of its share.
const helperSource = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, index, names } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const ctl = new Int32Array(control);
const fns = names.map((n) => instance.exports[n]);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${GENERATION}, seen);
  seen = Atomics.load(ctl, ${GENERATION});
  const fn = ctl[${FUNCTION}];
  if (fn === ${STOP}) break;
  const args = Array.from(ctl.subarray(${ARGS}, ${ARGS} + ctl[${ARG_COUNT}]));
  const from = ctl[${RANGES} + 2 * index];
  const to = ctl[${RANGES} + 2 * index + 1];
  if (to > from) fns[fn](...args, from, to);
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

/**
 * Splits PruneLab's SIMD kernels over the threads wasm was started with (the calling thread does one
 * share). Every share is a disjoint range of output rows (or images), each computed exactly as one
 * thread would compute it, so the result has the same bits at any thread count.
 */
export interface SimdThreads {
  readonly threads: number;
  /** runs exports[name](...args, from, to) over [0, total) in shares aligned to `grain` */
  run(name: ParallelFunction, args: number[], total: number, grain: number): void;
  stop(): void;
}

export async function startSimdThreads(
  module: object,
  memory: object,
  threads: number,
  local: { [name in ParallelFunction]: (...args: never[]) => void },
): Promise<SimdThreads> {
  const control = new SharedArrayBuffer(4 * (RANGES + 2 * threads));
  const ctl = new Int32Array(control);
  const helpers = await Promise.all(
    Array.from({ length: threads - 1 }, async (_, i) => {
      const worker = new Worker(helperSource, {
        eval: true,
        workerData: { module, memory, control, index: i, names: [...parallelFunctions] },
      });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      // the main thread waits on atomics, not events: helpers must not keep the process alive
      worker.unref();
      return worker;
    }),
  );
  return {
    threads,
    run(name, args, total, grain) {
      const units = Math.ceil(total / grain);
      const per = Math.ceil(units / threads);
      const range = (t: number): [number, number] => [
        Math.min(total, t * per * grain),
        Math.min(total, (t + 1) * per * grain),
      ];
      ctl[FUNCTION] = parallelFunctions.indexOf(name);
      ctl[ARG_COUNT] = args.length;
      ctl.set(args, ARGS);
      // helper i takes share i + 1; the calling thread takes share 0
      helpers.forEach((_, i) => ctl.set(range(i + 1), RANGES + 2 * i));
      Atomics.store(ctl, DONE, 0);
      Atomics.add(ctl, GENERATION, 1);
      Atomics.notify(ctl, GENERATION);
      const [from, to] = range(0);
      if (to > from) (local[name] as (...a: number[]) => void)(...args, from, to);
      for (let done = Atomics.load(ctl, DONE); done < helpers.length; done = Atomics.load(ctl, DONE)) {
        Atomics.wait(ctl, DONE, done);
      }
    },
    stop() {
      ctl[FUNCTION] = STOP;
      Atomics.add(ctl, GENERATION, 1);
      Atomics.notify(ctl, GENERATION);
    },
  };
}
