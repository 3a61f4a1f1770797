// The queue end to end with real processes: Debian's redis-server, a coordinator, and two `prunelab
// worker`s take a 6-cell sweep (one dense parent, six prune cells) and record the same metrics, bit for
// bit, as the local runner does for the same sweep — both run the same engine on the same backend with
// the same seeds. Then the coordinator itself is killed mid-sweep and restarted: it picks its queue up
// again and no result is lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../../src/main/services';
import type { RunDetail, SweepRequestResult } from '../../../src/shared/dto';
import { tinyDataset } from '../../cli/helpers';
import { call, spawnCli, spawnWorker, startCoordinator, type Spawned, type TestCoordinator } from './processes';
import { startRedis, type TestRedis } from './redisServer';
import { cellResults, sweepRequest, waitForRuns } from './sweepFixture';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-queue-sweep-'));
const dataset = tinyDataset(dir, 3, 30);
let redis: TestRedis;
let baseline: Map<string, unknown>;

async function importDataset(services: AppServices): Promise<string> {
  const { jobId } = await call<{ jobId: string }>(services, 'datasets.import', { path: dataset });
  const imported = await services.waitForJob(jobId);
  expect(imported.status, JSON.stringify(imported.error)).toBe('done');
  return (imported.result as { id: string }).id;
}

beforeAll(async () => {
  redis = await startRedis();
  // The local runner's answer, the reference for every queue run below.
  const local = await createAppServices({ dataDir: join(dir, 'local'), mode: 'cli', flushIntervalMs: 50 });
  try {
    const datasetId = await importDataset(local);
    const sweep = await call<SweepRequestResult>(local, 'runs.sweep', sweepRequest(datasetId));
    const runs = await waitForRuns((id) => call<RunDetail>(local, 'runs.get', { id }), sweep.runIds);
    expect(runs.map((r) => r.status)).toEqual(runs.map(() => 'done'));
    expect(runs).toHaveLength(7);
    baseline = cellResults(runs);
  } finally {
    await local.close();
  }
});

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a sweep on the queue', () => {
  it('runs on two prunelab workers with the local runner’s metrics, bit for bit', async () => {
    const coordinator: TestCoordinator = await startCoordinator(join(dir, 'coordinator'), redis.url);
    const token = coordinator.services.remote!.workerToken;
    const workers: Spawned[] = [1, 2].map((n) =>
      spawnWorker(join(dir, `worker-${n}`), coordinator.server.origin, token, redis.url),
    );
    try {
      await Promise.all(workers.map((w) => w.waitFor(/taking jobs from/)));
      const datasetId = await importDataset(coordinator.services);
      const jobsSeen = new Map<string, string | null | undefined>();
      const sweep = await call<SweepRequestResult>(coordinator.services, 'runs.sweep', sweepRequest(datasetId));
      const runs = await waitForRuns((id) => call<RunDetail>(coordinator.services, 'runs.get', { id }), sweep.runIds);
      for (const job of await call<{ id: string; worker?: string | null }[]>(coordinator.services, 'jobs.list', {}))
        jobsSeen.set(job.id, job.worker);

      expect(runs.map((r) => `${r.name}: ${r.status} ${r.error ?? ''}`)).toEqual(
        runs.map((r) => `${r.name}: done `),
      );
      const queued = cellResults(runs);
      expect([...queued.keys()].sort()).toEqual([...baseline.keys()].sort());
      for (const [name, result] of queued) expect(result, name).toEqual(baseline.get(name));

      // Every run says which worker trained it, and both workers trained some.
      const trainedBy = new Set(runs.map((r) => r.backend?.worker));
      expect([...trainedBy].every((w) => typeof w === 'string' && /\(pid \d+\)$/.test(w))).toBe(true);
      expect(trainedBy).toEqual(new Set(workers.map((w) => expect.stringContaining(`(pid ${w.pid})`))));
      const status = await call<{ enabled: boolean; workers: { pid: number }[]; depth: unknown }>(
        coordinator.services,
        'jobs.queue',
        {},
      );
      expect(status.enabled).toBe(true);
      expect(status.workers.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.pid).sort());
      expect(status.depth).toEqual({ waiting: 0, active: 0, delayed: 0 });
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await coordinator.close();
    }
  });
});
