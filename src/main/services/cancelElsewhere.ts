// Cancelling a run that another PruneLab process runs or has queued (the app, `prunelab serve`, another
// CLI): that process holds the run's owner lease (pid + start time). The request goes through the store,
// the owner's job coordinator sees it within a second and cancels the job, and this waits to see the run
// stop. A run whose owner is gone — dead, or its pid now another process's — or that nobody holds is
// settled here: nothing else would ever stop it.
import type { RunStatus, RunSummary } from '../../shared/dto';
import { defaultIsOwnerAlive, type IsOwnerAlive } from '../store';
import type { ServiceContext } from './context';
import { conflict } from './errors';

export interface CancelElsewhereOptions {
  /** How long to wait for the owning process to stop the run (default 8 s). */
  waitMs?: number;
  pollMs?: number;
  isOwnerAlive?: IsOwnerAlive;
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
  /** Settles the run here when no live process holds it; null while one does. */
  const settleUnheld = () => {
    const state = store.runs.state(run.id);
    if (!state) return { cancelled: true as const };
    if (state.status !== 'queued' && state.status !== 'running') return null;
    const owner = state.ownerPid;
    // A running run always names its owner; one that does not (written by an older version) is waited for.
    if (state.status === 'running' && owner === null) return null;
    if (owner !== null && isOwnerAlive(owner, state.ownerStarted)) return null;
    const error =
      state.status === 'running' ? 'cancelled; the process running it had gone' : 'cancelled while queued';
    store.runs.setStatus(run.id, 'cancelled', { error });
    return settle('cancelled', error);
  };
  const unheld = settleUnheld();
  if (unheld) return unheld;
  store.runs.requestCancel(run.id);
  const deadline = Date.now() + (options.waitMs ?? 8000);
  while (Date.now() < deadline) {
    await sleep(options.pollMs ?? 200);
    const now = store.runs.get(run.id);
    if (!now) return { cancelled: true };
    if (now.status !== 'queued' && now.status !== 'running') return settle(now.status, now.error);
    // The owner may die while this waits: then nothing would ever stop the run.
    const orphaned = settleUnheld();
    if (orphaned) return orphaned;
  }
  const state = store.runs.state(run.id);
  throw conflict(
    `asked the PruneLab process ${state?.status === 'queued' ? 'holding' : 'running'} run ${run.id}` +
      `${state?.ownerPid ? ` (pid ${state.ownerPid})` : ''} to stop it, but it has not yet; the request ` +
      'stands, so it will stop as soon as that process looks',
  );
}
