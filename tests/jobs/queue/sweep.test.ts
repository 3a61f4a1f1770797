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
import { tokenHeader } from '../../../src/shared/wire';
import {
  call,
  spawnCli,
  spawnWorker,
  startCoordinator,
  type Spawned,
  type TestCoordinator,
} from './processes';
import { freePort, startRedis, type TestRedis } from './redisServer';
import { cellResults, sweepRequest, waitForRuns } from './sweepFixture';

/** Real processes training on a shared 2-core machine: minutes, not seconds, when it is busy. */
const slow = { timeout: 900_000 };
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
}, 900_000);

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a sweep on the queue', () => {
  it('runs on two prunelab workers with the local runner’s metrics, bit for bit', slow, async () => {
    const coordinator: TestCoordinator = await startCoordinator(join(dir, 'coordinator'), redis.url);
    const token = coordinator.services.remote!.workerToken;
    const workers: Spawned[] = [1, 2].map((n) =>
      spawnWorker(join(dir, `worker-${n}`), coordinator.server.origin, token, redis.url),
    );
    try {
      await Promise.all(workers.map((w) => w.waitFor(/taking jobs from/)));
      const datasetId = await importDataset(coordinator.services);
      const jobsSeen = new Map<string, string | null | undefined>();
      const sweep = await call<SweepRequestResult>(
        coordinator.services,
        'runs.sweep',
        sweepRequest(datasetId),
      );
      const runs = await waitForRuns(
        (id) => call<RunDetail>(coordinator.services, 'runs.get', { id }),
        sweep.runIds,
      );
      for (const job of await call<{ id: string; worker?: string | null }[]>(
        coordinator.services,
        'jobs.list',
        {},
      ))
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

/** `prunelab serve --api-only --queue …` as its own process, driven over its HTTP API. */
async function serveCoordinator(dataDir: string, port: number) {
  const serve = spawnCli([
    'serve',
    '--api-only',
    '--no-open',
    '--queue',
    redis.url,
    '--port',
    String(port),
    '--data-dir',
    dataDir,
  ]);
  const [, origin, token] = await serve.waitFor(/serving at (http:\/\/[^/]+)\/\?token=(\S+)/);
  const [, workerToken] = await serve.waitFor(/workers: prunelab worker .* --token (\S+)/);
  const request = async <T>(name: string, payload: unknown): Promise<T> => {
    const response = await fetch(`${origin}/api/request/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [tokenHeader]: token! },
      body: JSON.stringify(payload),
    });
    const body = (await response.json()) as { ok: boolean; value: T; error?: { message: string } };
    if (!body.ok) throw new Error(`${name}: ${body.error?.message}`);
    return body.value;
  };
  return { serve, origin: origin!, workerToken: workerToken!, request };
}

describe('a coordinator restarted mid-sweep', () => {
  it('picks its queue up again and loses no result', slow, async () => {
    const dataDir = join(dir, 'restarted');
    const port = await freePort();
    let coordinator = await serveCoordinator(dataDir, port);
    const workers = [1, 2].map((n) =>
      spawnWorker(join(dir, `restart-worker-${n}`), coordinator.origin, coordinator.workerToken, redis.url),
    );
    try {
      await Promise.all(workers.map((w) => w.waitFor(/taking jobs from/)));
      const { jobId } = await coordinator.request<{ jobId: string }>('datasets.import', { path: dataset });
      let datasetId = '';
      for (let i = 0; i < 600 && !datasetId; i++) {
        const datasets = await coordinator.request<{ id: string }[]>('datasets.list', {});
        datasetId = datasets[0]?.id ?? '';
        if (!datasetId) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(datasetId, `import job ${jobId}`).not.toBe('');
      const sweep = await coordinator.request<SweepRequestResult>('runs.sweep', sweepRequest(datasetId));
      // Kill it (SIGKILL: no goodbye) once the dense parent is done and prune cells are under way.
      for (;;) {
        const runs = await Promise.all(
          sweep.runIds.map((id) => coordinator.request<RunDetail>('runs.get', { id })),
        );
        const done = runs.filter((r) => r.status === 'done').length;
        if (done >= 3) break;
        if (runs.some((r) => r.status === 'failed')) throw new Error('a run failed before the restart');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const before = await Promise.all(
        sweep.runIds.map((id) => coordinator.request<RunDetail>('runs.get', { id })),
      );
      expect(before.filter((r) => r.status === 'done').length).toBeLessThan(7);
      coordinator.serve.child.kill('SIGKILL');
      await coordinator.serve.exited;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      coordinator = await serveCoordinator(dataDir, port);
      await coordinator.serve.waitFor(/resumed \d+ run\(s\) the last start left on the queue/);
      const runs = await waitForRuns(
        (id) => coordinator.request<RunDetail>('runs.get', { id }),
        sweep.runIds,
      );
      expect(runs.map((r) => `${r.name}: ${r.status} ${r.error ?? ''}`)).toEqual(
        runs.map((r) => `${r.name}: done `),
      );
      const results = cellResults(runs);
      for (const [name, result] of results) expect(result, name).toEqual(baseline.get(name));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await coordinator.serve.stop();
    }
  });
});
