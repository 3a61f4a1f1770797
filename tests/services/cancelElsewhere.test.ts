// Cancelling a run another process holds (its owner lease: pid + start time): the request goes through
// the store; the run's own process stops it (here: a write to the store standing in for it); a run whose
// owner is gone — dead, or its pid reused by another process — or that nobody holds is settled here; a
// live owner that does not react leaves a clear CONFLICT and the request.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Events } from '../../src/shared/api';
import type { Store } from '../../src/main/store';
import { cancelElsewhere } from '../../src/main/services/cancelElsewhere';
import type { ServiceContext } from '../../src/main/services/context';
import { createEventBus } from '../../src/main/services/events';
import { localQueueStatus } from '../../src/main/services/queueCoordination';
import type { JobCoordinator } from '../../src/main/services/jobCoordinator';
import { memoryStore, sampleDataset, trainConfig } from '../store/fixtures';

let store: Store;
let ctx: ServiceContext;
let statuses: Events['run.status'][];

beforeEach(() => {
  store = memoryStore();
  store.datasets.save(sampleDataset());
  const bus = createEventBus();
  statuses = [];
  bus.subscribe('run.status', (s) => statuses.push(s));
  ctx = {
    store,
    bus,
    jobs: {} as JobCoordinator,
    dataDir: '/nowhere',
    mode: 'cli',
    appVersion: 'test',
    queueStatus: async () => localQueueStatus,
  };
});
afterEach(() => store.close());

function runIn(status: 'queued' | 'running') {
  const run = store.runs.create({ name: 'r', kind: 'train', config: trainConfig() });
  // setStatus('running') records this process (pid 4242 in the test store) as the owner
  return status === 'running' ? store.runs.setStatus(run.id, 'running') : run;
}

const fast = { waitMs: 600, pollMs: 20 };

describe('cancelling a run held by another process', () => {
  it('waits for the owning process to stop it and reports what that process recorded', async () => {
    const run = runIn('running');
    // the owner sees the request on its next poll and records the cancel
    const owner = setInterval(() => {
      if (store.runs.cancelRequested([run.id]).length > 0) {
        store.runs.setStatus(run.id, 'cancelled', { error: 'cancelled' });
        clearInterval(owner);
      }
    }, 50);
    await expect(cancelElsewhere(ctx, run, { ...fast, isOwnerAlive: () => true })).resolves.toEqual({
      cancelled: true,
    });
    clearInterval(owner);
    expect(statuses).toEqual([{ runId: run.id, status: 'cancelled', error: 'cancelled' }]);
  });

  it('settles a running run whose process is gone at once', async () => {
    const run = runIn('running');
    const started = Date.now();
    await cancelElsewhere(ctx, run, { ...fast, isOwnerAlive: () => false });
    expect(Date.now() - started).toBeLessThan(300);
    expect(store.runs.get(run.id)).toMatchObject({
      status: 'cancelled',
      error: 'cancelled; the process running it had gone',
    });
  });

  it('cancels a queued run that no process takes the request for', async () => {
    const run = runIn('queued');
    await cancelElsewhere(ctx, run, fast);
    expect(store.runs.get(run.id)).toMatchObject({ status: 'cancelled', error: 'cancelled while queued' });
    expect(statuses.map((s) => s.status)).toEqual(['cancelled']);
  });

  it('takes a running run whose pid now belongs to another process for one whose owner is gone', async () => {
    const run = runIn('running');
    // This test's own pid is alive, but its start time is not the one the lease recorded.
    store.db
      .prepare('UPDATE runs SET owner_pid = ?, owner_started = ? WHERE id = ?')
      .run(process.pid, 'linux:another-boot:1', run.id);
    await cancelElsewhere(ctx, run, fast);
    expect(store.runs.get(run.id)).toMatchObject({
      status: 'cancelled',
      error: 'cancelled; the process running it had gone',
    });
    expect(store.runs.cancelRequested([run.id])).toEqual([]);
  });

  it('leaves a queued run to its live owner: CONFLICT, still queued, the request standing', async () => {
    const run = runIn('queued');
    await expect(cancelElsewhere(ctx, run, { ...fast, isOwnerAlive: () => true })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`holding run ${run.id} (pid 4242) to stop it, but it has not yet`),
    });
    expect(store.runs.get(run.id)?.status).toBe('queued');
    expect(store.runs.cancelRequested([run.id])).toEqual([run.id]);
    expect(statuses).toEqual([]);
  });

  it('settles a queued run here when its owner dies while it waits', async () => {
    const run = runIn('queued');
    let alive = true;
    setTimeout(() => (alive = false), 100);
    // Long enough that only noticing the death ends the wait.
    await cancelElsewhere(ctx, run, { waitMs: 60_000, pollMs: 20, isOwnerAlive: () => alive });
    expect(store.runs.get(run.id)).toMatchObject({ status: 'cancelled', error: 'cancelled while queued' });
    expect(statuses.map((s) => s.status)).toEqual(['cancelled']);
  });

  it('says so when a live process does not stop the run, and leaves the request for it', async () => {
    const run = runIn('running');
    await expect(cancelElsewhere(ctx, run, { ...fast, isOwnerAlive: () => true })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('(pid 4242) to stop it, but it has not yet'),
    });
    expect(store.runs.get(run.id)?.status).toBe('running');
    expect(store.runs.cancelRequested([run.id])).toEqual([run.id]);
  });
});
