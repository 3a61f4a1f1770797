// Cancelling a run that another PruneLab process runs or has queued (the app, `prunelab serve`, another
// CLI): the request goes through the store, that process's job coordinator sees it within a second and
// cancels the job, and this waits to see the run stop. A run whose process is gone is marked here.
import type { RunStatus, RunSummary } from '../../shared/dto';
import { defaultIsOwnerAlive } from '../store/repositories/runs';
import type { ServiceContext } from './context';
import { conflict } from './errors';

export interface CancelElsewhereOptions {
  /** How long to wait for the owning process to stop the run (default 8 s). */
  waitMs?: number;
  pollMs?: number;
  isOwnerAlive?: (pid: number) => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function cancelElsewhere(
  ctx: ServiceContext,
  run: RunSummary,
  options: CancelElsewhereOptions = {},
): Promise<{ cancelled: true }> {
  const { store } = ctx;
  const isOwnerAlive = options.isOwnerAlive ?? defaultIsOwnerAlive;
  // This process's own subscribers (the app's window) hear what the other process did.
  const settle = (status: RunStatus, error: string | null) => {
    ctx.bus.emit('run.status', { runId: run.id, status, error });
    return { cancelled: true as const };
  };
  const mark = (error: string) => {
    store.runs.setStatus(run.id, 'cancelled', { error });
    return settle('cancelled', error);
  };
  const owner = store.runs.state(run.id)?.ownerPid ?? null;
  // Its process died without a word (startup recovery would call it interrupted): nothing to stop.
  if (run.status === 'running' && owner !== null && !isOwnerAlive(owner))
    return mark('cancelled; the process running it had gone');
  store.runs.requestCancel(run.id);
  const deadline = Date.now() + (options.waitMs ?? 8000);
  while (Date.now() < deadline) {
    await sleep(options.pollMs ?? 200);
    const now = store.runs.get(run.id);
    if (!now) return { cancelled: true };
    if (now.status !== 'queued' && now.status !== 'running') return settle(now.status, now.error);
  }
  const state = store.runs.state(run.id);
  // Queued, and no process took the request: nobody holds it (e.g. a CLI sweep that was killed).
  if (state?.status === 'queued') return mark('cancelled while queued');
  throw conflict(
    `asked the PruneLab process running run ${run.id}${state?.ownerPid ? ` (pid ${state.ownerPid})` : ''} to ` +
      'stop it, but it has not yet; the request stands, so it will stop as soon as that process looks',
  );
}
