// Formatting of bench:train --profile: the step profile as a table and as plain numbers per step.
import type { StepProfile } from '../src/main/engine/train/stepProfiler';

const perStep = (ms: number, steps: number) => Math.round((ms / Math.max(1, steps)) * 1000) / 1000;

/** Milliseconds per step by phase and by kernel (the slowest `topKernels`), slowest first. */
export function profileFigures(profile: StepProfile, topKernels = 25) {
  return {
    steps: profile.steps,
    msPerStep: perStep(profile.totalMs, profile.steps),
    phases: profile.phases.map((p) => ({ phase: p.phase, msPerStep: perStep(p.ms, profile.steps) })),
    kernels: profile.kernels.slice(0, topKernels).map((k) => ({
      phase: k.phase,
      kernel: k.kernel,
      shapes: k.shapes,
      callsPerStep: Math.round((k.calls / Math.max(1, profile.steps)) * 100) / 100,
      msPerStep: perStep(k.ms, profile.steps),
    })),
  };
}

export function profileTable(title: string, figures: ReturnType<typeof profileFigures>): string {
  const share = (ms: number) => `${((ms / figures.msPerStep) * 100).toFixed(1)}%`;
  const lines = [
    `${title}: ${figures.msPerStep} ms per step over ${figures.steps} steps`,
    '  phase                         ms/step   share',
    ...figures.phases.map(
      (p) =>
        `  ${p.phase.padEnd(28)} ${p.msPerStep.toFixed(3).padStart(8)}  ${share(p.msPerStep).padStart(6)}`,
    ),
    '  kernel (phase, input shapes)                                              calls   ms/step   share',
    ...figures.kernels.map(
      (k) =>
        `  ${`${k.kernel} (${k.phase}; ${k.shapes})`.slice(0, 72).padEnd(72)} ${String(k.callsPerStep).padStart(6)} ${k.msPerStep
          .toFixed(3)
          .padStart(9)}  ${share(k.msPerStep).padStart(6)}`,
    ),
  ];
  return lines.join('\n');
}
