import * as tf from '@tensorflow/tfjs';

/** The parts of a training step the profiler tells apart. */
export type StepPhase =
  | 'batch assembly'
  | 'forward'
  | 'backward'
  | 'gradients hook'
  | 'optimizer'
  | 'after-step hook (masks)'
  | 'loss read-back'
  /** the rest of the loop: progress callbacks, yielding to the event loop, bookkeeping */
  | 'other';

export interface PhaseTiming {
  phase: StepPhase;
  /** wall time in milliseconds, summed over the profiled steps */
  ms: number;
}

export interface KernelTiming {
  phase: StepPhase;
  kernel: string;
  /** the kernel's input shapes, e.g. "64×13×13×32, 64×11×11×64" — tells conv1's gradient from conv2's */
  shapes: string;
  calls: number;
  ms: number;
}

export interface StepProfile {
  steps: number;
  /** wall time of the profiled steps, milliseconds */
  totalMs: number;
  /** sorted, slowest first */
  phases: PhaseTiming[];
  /** outermost kernel calls only (a kernel that calls others is timed once, whole); sorted, slowest first */
  kernels: KernelTiming[];
}

/**
 * Times a training loop by phase and by backend kernel: the loop marks its phases, and every kernel of
 * the backend is wrapped (until dispose) so each call is charged to the phase it ran in. Wall time — the
 * wasm backend's kernels are synchronous, so a call's time is its kernel's time.
 */
export interface StepProfiler {
  phase<T>(name: StepPhase, run: () => T): T;
  /** the loop counts a step when it finishes one */
  stepDone(): void;
  report(): StepProfile;
  /** forget what was measured so far (after a warm-up) */
  reset(): void;
  /** puts the backend's kernels back as they were */
  dispose(): void;
}

export const noProfiler: Pick<StepProfiler, 'phase' | 'stepDone'> = {
  phase: (_name, run) => run(),
  stepDone: () => {},
};

export function createStepProfiler(options: { backendName?: string; now?: () => number } = {}): StepProfiler {
  const backendName = options.backendName ?? tf.getBackend();
  const now = options.now ?? (() => performance.now());
  const phases = new Map<StepPhase, number>();
  const kernels = new Map<string, KernelTiming>();
  // exclusive time: entering a phase stops the clock of the one it is nested in
  let current: StepPhase = 'other';
  let mark = now();
  let depth = 0;
  let steps = 0;
  let started = mark;
  const switchTo = (next: StepPhase, t = now()) => {
    phases.set(current, (phases.get(current) ?? 0) + t - mark);
    mark = t;
    current = next;
  };

  const originals = tf.getKernelsForBackend(backendName);
  for (const config of originals) {
    const run = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        if (depth > 0) return run(args);
        depth += 1;
        const start = now();
        try {
          return run(args);
        } finally {
          depth -= 1;
          record(config.kernelName, args.inputs, now() - start);
        }
      },
    });
  }

  function record(kernel: string, inputs: tf.NamedTensorInfoMap, ms: number): void {
    const shapes = Object.values(inputs)
      .filter((t): t is tf.TensorInfo => t != null)
      .map((t) => (t.shape.length === 0 ? 'scalar' : t.shape.join('×')))
      .join(', ');
    const key = `${current}|${kernel}|${shapes}`;
    const entry = kernels.get(key) ?? { phase: current, kernel, shapes, calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += ms;
    kernels.set(key, entry);
  }

  return {
    phase(name, run) {
      const outer = current;
      switchTo(name);
      try {
        return run();
      } finally {
        switchTo(outer);
      }
    },
    stepDone: () => {
      steps += 1;
    },
    report() {
      const t = now();
      switchTo(current, t); // books the running phase's time so far
      return {
        steps,
        totalMs: t - started,
        phases: [...phases].map(([phase, ms]) => ({ phase, ms })).sort((a, b) => b.ms - a.ms),
        kernels: [...kernels.values()].map((k) => ({ ...k })).sort((a, b) => b.ms - a.ms),
      };
    },
    reset() {
      phases.clear();
      kernels.clear();
      steps = 0;
      started = now();
      mark = started;
    },
    dispose() {
      for (const config of originals) {
        tf.unregisterKernel(config.kernelName, backendName);
        tf.registerKernel(config);
      }
    },
  };
}
