// How the queue fails, with real processes (redis-server, a coordinator, `prunelab worker`s):
// - a worker SIGKILLed mid-run: BullMQ's stalled-job check hands the job to another worker, which resumes
//   from the last checkpoint the first one uploaded, and the final weights equal an uninterrupted run's;
// - a job delivered twice (its first worker frozen past its lock, then thawed) is recorded once;
// - a worker whose coordinator cannot be reached retries with back-off, says so, and carries on when
//   the coordinator appears.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices } from '../../../src/main/services';
import { startServer } from '../../../src/main/server/startServer';
import type { ArtifactSummary, RunDetail } from '../../../src/shared/dto';
import { tinyDataset } from '../../cli/helpers';
import { call, spawnWorker, type Spawned, type TestCoordinator } from './processes';
import { freePort, startRedis, type TestRedis } from './redisServer';

/** Real processes training on a shared 2-core machine: minutes, not seconds, when it is busy. */
const slow = { timeout: 900_000 };
const dir = mkdtempSync(join(tmpdir(), 'prunelab-queue-failures-'));
let redis: TestRedis;
let coordinator: TestCoordinator;
let token: string;
let datasetId: string;
const coordinatorLog: string[] = [];
const train = { preset: 'lenet5', epochs: 5, batchSize: 4, seed: 11 } as const;
let uninterruptedWeights: Float32Array[];
let uninterruptedRunId = '';
let workerNo = 0;

function worker(options: { detached?: boolean } = {}): Spawned {
  workerNo += 1;
  return spawnWorker(
    join(dir, `worker-${workerNo}`),
    coordinator.server.origin,
    token,
    redis.url,
    ['--lock-seconds', '2'],
    options,
  );
}

async function finalWeights(runId: string): Promise<Float32Array[]> {
  const { loadModelState } = await import('../../../src/main/engine/train/modelState');
  const modelDir = coordinator.services.store.runs.state(runId)?.modelDir;
  expect(modelDir).toBeTruthy();
  const { model, masks } = await loadModelState(modelDir!);
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  for (const mask of masks?.values() ?? []) mask.dispose();
  return weights;
}

function expectSameWeights(a: Float32Array[], b: Float32Array[]) {
  expect(b.length).toBe(a.length);
  for (let i = 0; i < a.length; i++) expect(Array.from(b[i]!)).toEqual(Array.from(a[i]!));
}

/**
 * Starts a train run and calls `onEpochOne` at the first progress report once an epoch and a checkpoint
 * are recorded, so a worker stopped then leaves one to resume from. (A worker skips a checkpoint the task
 * replaced before it was sent — on a busy machine epoch 1's may never arrive — so an epoch alone is not
 * enough.)
 */
async function startRunThen(name: string, onEpochOne: () => void, trainEpochs: number = train.epochs) {
  const services = coordinator.services;
  const epochs: { epoch: number; at: number }[] = [];
  let jobId = '';
  let runId = '';
  let fired = false;
  const off = [
    services.subscribe('run.epoch', (e) => {
      if (e.runId === runId) epochs.push({ epoch: e.epoch, at: Date.now() });
    }),
    services.subscribe('job.progress', (p) => {
      if (p.jobId !== jobId || fired || epochs.length === 0) return;
      if (!services.store.runs.state(runId)?.checkpoint) return;
      fired = true;
      onEpochOne();
    }),
  ];
  ({ runId, jobId } = await call<{ runId: string; jobId: string }>(services, 'runs.start', {
    name,
    config: { datasetId, train: { ...train, epochs: trainEpochs } },
  }));
  return { runId, jobId, epochs, off: () => off.forEach((f) => f()) };
}

beforeAll(async () => {
  redis = await startRedis();
  const services = await createAppServices({
    dataDir: join(dir, 'coordinator'),
    mode: 'serve',
    queueUrl: redis.url,
    flushIntervalMs: 50,
    log: (line) => coordinatorLog.push(line),
  });
  const server = await startServer({ api: services, dataDir: join(dir, 'coordinator'), rendererDir: null });
  coordinator = { services, server, close: async () => (await server.close(), await services.close()) };
  token = services.remote!.workerToken;
  const { jobId } = await call<{ jobId: string }>(services, 'datasets.import', {
    path: tinyDataset(dir, 3, 60),
  });
  const imported = await services.waitForJob(jobId);
  expect(imported.status).toBe('done');
  datasetId = (imported.result as { id: string }).id;
}, 900_000);

afterAll(async () => {
  await coordinator?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('queue failures', () => {
  it(
    'hands the job of a worker killed mid-run to another, which resumes it to identical weights',
    slow,
    async () => {
      const first = worker();
      try {
        await first.waitFor(/taking jobs from/);
        const { runId, jobId } = await call<{ runId: string; jobId: string }>(
          coordinator.services,
          'runs.start',
          {
            name: 'uninterrupted',
            config: { datasetId, train },
          },
        );
        const done = await coordinator.services.waitForJob(jobId);
        expect(done.status, JSON.stringify(done.error)).toBe('done');
        uninterruptedWeights = await finalWeights(runId);
        uninterruptedRunId = runId;
      } catch (err) {
        await first.stop();
        throw err;
      }

      let killedAt = 0;
      const run = await startRunThen('killed', () => {
        killedAt = Date.now();
        process.kill(first.pid, 'SIGKILL');
      });
      const second = worker();
      try {
        const result = await coordinator.services.waitForJob(run.jobId);
        run.off();
        expect(killedAt).toBeGreaterThan(0);
        expect(result.status, JSON.stringify(result.error)).toBe('done');
        const detail = await call<RunDetail>(coordinator.services, 'runs.get', { id: run.runId });
        expect(detail.status).toBe('done');
        // The second worker trained it, continuing after the checkpoint the first one uploaded.
        expect(detail.backend?.worker).toContain(`(pid ${second.pid})`);
        const afterKill = run.epochs.filter((e) => e.at > killedAt).map((e) => e.epoch);
        expect(afterKill.length).toBeGreaterThan(0);
        expect(afterKill[0]).toBeGreaterThan(1);
        expect(afterKill.at(-1)).toBe(train.epochs);
        expect(coordinatorLog.join('\n')).toMatch(new RegExp(`job ${run.jobId} taken again .*; it resumes`));
        const loss = detail.metrics.find(
          (m) => m.phase === 'train' && m.split === 'train' && m.name === 'loss',
        );
        expect(loss?.epochs).toEqual([1, 2, 3, 4, 5]);
        expectSameWeights(uninterruptedWeights, await finalWeights(run.runId));
      } finally {
        await second.stop();
      }
    },
  );

  it(
    'records a job delivered twice once: the first worker, frozen past its lock, is refused when it thaws',
    slow,
    async () => {
      const first = worker({ detached: true });
      await first.waitFor(/taking jobs from/);
      const finished: string[] = [];
      const offFinished = coordinator.services.subscribe('job.finished', (f) => finished.push(f.jobId));
      const run = await startRunThen('delivered twice', () => process.kill(-first.pid, 'SIGSTOP'));
      const second = worker();
      try {
        const result = await coordinator.services.waitForJob(run.jobId);
        expect(result.status, JSON.stringify(result.error)).toBe('done');
        const mark = first.output().length;
        process.kill(-first.pid, 'SIGCONT');
        // Thawed, the first worker still holds the old lease: whatever it sends now is refused.
        await first.waitFor(new RegExp(`job ${run.jobId}: stopped \\(`), 30_000, mark);
        await new Promise((resolve) => setTimeout(resolve, 500));
        run.off();
        offFinished();
        expect(finished.filter((id) => id === run.jobId)).toHaveLength(1);
        const detail = await call<RunDetail>(coordinator.services, 'runs.get', { id: run.runId });
        expect(detail.status).toBe('done');
        expect(detail.backend?.worker).toContain(`(pid ${second.pid})`);
        for (const series of detail.metrics)
          expect(series.epochs).toEqual([...new Set(series.epochs)].sort((a, b) => a - b));
        expectSameWeights(uninterruptedWeights, await finalWeights(run.runId));
      } finally {
        try {
          process.kill(-first.pid, 'SIGCONT');
        } catch {
          // already gone
        }
        await Promise.all([first.stop(), second.stop()]);
      }
    },
  );

  it(
    'exports on a worker, with the export uploaded into the coordinator’s data directory before it is recorded',
    slow,
    async () => {
      const exporter = worker();
      try {
        await exporter.waitFor(/taking jobs from/);
        const { jobId } = await call<{ jobId: string }>(coordinator.services, 'exports.create', {
          runId: uninterruptedRunId,
          format: 'tfjs',
          encoding: 'float32',
        });
        const result = await coordinator.services.waitForJob(jobId);
        expect(result.status, JSON.stringify(result.error)).toBe('done');
        await exporter.waitFor(new RegExp(`job ${jobId}: export of run`));
        const [artifact] = await call<ArtifactSummary[]>(coordinator.services, 'exports.list', {
          runId: uninterruptedRunId,
        });
        expect(artifact!.path.startsWith(join(dir, 'coordinator', 'exports', uninterruptedRunId))).toBe(true);
        expect(readdirSync(artifact!.path)).toEqual(expect.arrayContaining(['model.json', 'metadata.json']));
        const { verifyExportFiles } = await import('../../../src/main/engine/export/metadata');
        expect(await verifyExportFiles(artifact!.path)).toEqual({ ok: true, problems: [] });
        expect(artifact!.parity?.ok).toBe(true);
      } finally {
        await exporter.stop();
      }
    },
  );

  it('cancels a job waiting on the queue, and one a worker is running', slow, async () => {
    const services = coordinator.services;
    // No worker: the job waits on the queue and is taken off it.
    const waiting = await call<{ runId: string; jobId: string }>(services, 'runs.start', {
      name: 'cancelled while queued',
      config: { datasetId, train },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await call(services, 'jobs.cancel', { jobId: waiting.jobId });
    expect((await services.waitForJob(waiting.jobId)).status).toBe('cancelled');
    const depth = (await call<{ depth: { waiting: number } }>(services, 'jobs.queue', {})).depth;
    expect(depth.waiting).toBe(0);

    const runner = worker();
    try {
      await runner.waitFor(/taking jobs from/);
      // long enough that the cancel reaches the worker (with its next event post, ≤ 0.5 s) before the
      // run could end: with 5 epochs a fast machine finished the last 4 first and the job ended done
      const running = await startRunThen(
        'cancelled while running',
        () => void call(services, 'jobs.cancel', { jobId: running.jobId }),
        200,
      );
      const result = await services.waitForJob(running.jobId);
      running.off();
      expect(result.status).toBe('cancelled');
      await runner.waitFor(new RegExp(`job ${running.jobId}: cancelling \\(the coordinator cancelled it\\)`));
      expect((await call<RunDetail>(services, 'runs.get', { id: running.runId })).status).toBe('cancelled');
    } finally {
      await runner.stop();
    }
  });

  it('stops at once when the coordinator refuses its token, and says which flag to fix', slow, async () => {
    const intruder = spawnWorker(
      join(dir, 'intruder'),
      coordinator.server.origin,
      'not-the-token',
      redis.url,
      ['--json'],
    );
    expect(await intruder.exited).toBe(1);
    expect(intruder.output()).toMatch(/refused this worker's token \(give the one it printed with --token\)/);
  });

  it(
    'retries an unreachable coordinator with back-off, says so, and starts when it appears',
    slow,
    async () => {
      const port = await freePort();
      const lonely = spawnWorker(join(dir, 'lonely-worker'), `http://127.0.0.1:${port}`, token, redis.url);
      let late: Awaited<ReturnType<typeof startServer>> | null = null;
      try {
        await lonely.waitFor(/unreachable \(ECONNREFUSED\); retrying in 1\.0 s \(attempt 1\)/);
        await lonely.waitFor(/unreachable \(ECONNREFUSED\); retrying in 2\.0 s \(attempt 2\)/);
        late = await startServer({
          api: coordinator.services,
          dataDir: join(dir, 'coordinator'),
          rendererDir: null,
          port,
        });
        await lonely.waitFor(/answers again/, 30_000);
        await lonely.waitFor(/taking jobs from/);
      } finally {
        await lonely.stop();
        await late?.close();
      }
    },
  );
});
