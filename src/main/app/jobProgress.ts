// While jobs run, the taskbar/dock icon shows their progress; when a long job ends while the window is
// not focused, a system notification says so.
import type { Events, Subscribe } from '../../shared/api';
import type { BrowserWindowLike } from './electronTypes';

export interface JobProgressOptions {
  subscribe: Subscribe;
  window(): BrowserWindowLike | null;
  notify(title: string, body: string): void;
  now?: () => number;
  /** Jobs at least this long earn a notification. */
  longJobMs?: number;
}

const kindLabel: Record<Events['job.finished']['kind'], string> = {
  import: 'Import',
  train: 'Training',
  prune: 'Pruning',
  sensitivity: 'Sensitivity scan',
  export: 'Export',
  'dataset-export': 'Dataset export',
};

const statusLabel: Record<Events['job.finished']['status'], string> = {
  done: 'finished',
  failed: 'failed',
  cancelled: 'was cancelled',
};

export function reportJobProgress(options: JobProgressOptions): () => void {
  const now = options.now ?? Date.now;
  const longJobMs = options.longJobMs ?? 30_000;
  const running = new Map<string, { fraction: number; startedAt: number }>();

  const show = () => {
    const window = options.window();
    if (!window || window.isDestroyed()) return;
    if (running.size === 0) {
      window.setProgressBar(-1);
      return;
    }
    let sum = 0;
    for (const job of running.values()) sum += job.fraction;
    window.setProgressBar(Math.min(1, Math.max(0, sum / running.size)));
  };

  const offProgress = options.subscribe('job.progress', (event) => {
    const previous = running.get(event.jobId);
    const fraction = event.total > 0 ? event.done / event.total : 0;
    running.set(event.jobId, { fraction, startedAt: previous?.startedAt ?? now() });
    show();
  });

  const offFinished = options.subscribe('job.finished', (event) => {
    const job = running.get(event.jobId);
    running.delete(event.jobId);
    show();
    const window = options.window();
    const unfocused = !window || window.isDestroyed() || !window.isFocused();
    if (job && unfocused && now() - job.startedAt >= longJobMs) {
      const detail = event.error
        ? event.error.message
        : event.runId
          ? `run ${event.runId}`
          : (event.datasetId ?? '');
      options.notify(`${kindLabel[event.kind]} ${statusLabel[event.status]}`, detail);
    }
  });

  return () => {
    offProgress();
    offFinished();
    running.clear();
    show();
  };
}
