// The CLI's progress lines: each stage of each job in words ("evaluating the dense model…"), updated at
// most once a second, and closed with "… done" (or "… cancelled" / "… failed") when the job moves to its
// next stage or ends — so every stage a user sees started also visibly finished.
import type { Events } from '../../shared/api';
import { describeProgress, describeStage } from '../../shared/stages';
import type { CliIo } from './command';

const PROGRESS_EVERY_MS = 1000;

interface OpenStage {
  kind: Events['job.progress']['kind'];
  phase: string;
  printedAt: number;
}

export interface ProgressLines {
  progress(p: Events['job.progress']): void;
  finished(f: Pick<Events['job.finished'], 'jobId' | 'status'>): void;
}

export function createProgressLines(
  io: Pick<CliIo, 'progress' | 'err'>,
  now = () => Date.now(),
): ProgressLines {
  const open = new Map<string, OpenStage>();

  function close(jobId: string, outcome: string) {
    const stage = open.get(jobId);
    if (!stage) return;
    open.delete(jobId);
    io.err(`${describeStage(stage.kind, stage.phase)}… ${outcome}`);
  }

  return {
    progress(p) {
      const stage = open.get(p.jobId);
      const at = now();
      if (stage && stage.phase !== p.phase) close(p.jobId, 'done');
      const current = open.get(p.jobId);
      const finished = p.total > 0 && p.done >= p.total;
      if (current && at - current.printedAt < PROGRESS_EVERY_MS && !finished) return;
      open.set(p.jobId, { kind: p.kind, phase: p.phase, printedAt: at });
      const eta = p.etaSeconds !== undefined ? ` (about ${p.etaSeconds} s left)` : '';
      io.progress(`${describeProgress(p)}${eta}`);
    },
    finished(f) {
      close(f.jobId, f.status === 'done' ? 'done' : f.status);
    },
  };
}
