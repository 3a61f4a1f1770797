// bench:sweep — the same 8-cell sweep (one dense parent, 2 criteria × 4 sparsities, lenet5 on the bundled
// 3,000-image sample) on the local runner with one worker process, and on the BullMQ queue with two
// `prunelab worker` processes, in one run on this machine (order alternates when --rounds > 1; medians
// are quoted). Figures: cells per hour; the coordinator's own cost per event (time in the event route,
// persistence included, and all coordinator CPU divided by events); bytes moved per cell between the
// coordinator and its workers (cold worker caches in the first round). Ends with one JSON line.
// `npm run bench:sweep [-- --rounds N]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppServices, type AppServices } from '../src/main/services';
import type { RunDetail, SweepRequestResult } from '../src/shared/dto';
import { samplePath } from '../tests/cli/helpers';
import { call, spawnWorker, startCoordinator, type TestCoordinator } from '../tests/jobs/queue/processes';
import { startRedis } from '../tests/jobs/queue/redisServer';
import { sweepRequest, waitForRuns } from '../tests/jobs/queue/sweepFixture';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Math.max(1, Number(process.argv[roundsArg + 1])) : 1;
const shape = { criteria: ['taylor', 'magnitude'], sparsities: [0.5, 0.7, 0.8, 0.9] };
const cells = shape.criteria.length * shape.sparsities.length;
const train = { preset: 'lenet5', epochs: 2, batchSize: 32, seed: 7 };

const dir = mkdtempSync(join(tmpdir(), 'prunelab-bench-sweep-'));
const redis = await startRedis();

async function importSample(services: AppServices): Promise<string> {
  const { jobId } = await call<{ jobId: string }>(services, 'datasets.import', { path: samplePath });
  const result = await services.waitForJob(jobId);
  if (result.status !== 'done') throw new Error(`import failed: ${result.error?.message}`);
  return (result.result as { id: string }).id;
}

/** Waits on run.status events, not by polling: the coordinator's CPU is measured, and polls would cost it. */
async function runSweep(services: AppServices, datasetId: string, name: string): Promise<number> {
  const started = performance.now();
  const over = new Set<string>();
  let wake: () => void = () => undefined;
  const off = services.subscribe('run.status', (e) => {
    if (['done', 'failed', 'cancelled', 'interrupted'].includes(e.status)) over.add(e.runId);
    wake();
  });
  const request = sweepRequest(datasetId, shape, name, train);
  const sweep = await call<SweepRequestResult>(services, 'runs.sweep', request);
  while (!sweep.runIds.every((id) => over.has(id))) {
    await new Promise<void>((resolve) => (wake = resolve));
  }
  off();
  const seconds = (performance.now() - started) / 1000;
  const get = (id: string) => call<RunDetail>(services, 'runs.get', { id });
  const failed = (await waitForRuns(get, sweep.runIds, 1000)).filter((r) => r.status !== 'done');
  if (failed.length > 0) throw new Error(`${failed.length} runs did not finish: ${failed[0]!.error}`);
  return seconds;
}

interface QueueFigures {
  seconds: number;
  events: number;
  eventRequests: number;
  eventMs: number;
  cpuMs: number;
  bytes: number;
  jobs: number;
}

const local = await createAppServices({ dataDir: join(dir, 'local'), mode: 'cli', concurrency: 1 });
const localDataset = await importSample(local);
const coordinator: TestCoordinator = await startCoordinator(join(dir, 'coordinator'), redis.url);
const queueDataset = await importSample(coordinator.services);
const token = coordinator.services.remote!.workerToken;
const workers = [1, 2].map((n) =>
  spawnWorker(join(dir, `worker-${n}`), coordinator.server.origin, token, redis.url),
);
await Promise.all(workers.map((w) => w.waitFor(/taking jobs from/)));

const localSeconds: number[] = [];
const queued: QueueFigures[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['local', 'queue'] : ['queue', 'local'];
    for (const which of order) {
      if (which === 'local') {
        localSeconds.push(await runSweep(local, localDataset, `local ${round}`));
        console.error(`round ${round + 1}: local runner ${localSeconds.at(-1)!.toFixed(1)} s`);
        continue;
      }
      const traffic = coordinator.services.remote!.traffic;
      const before = { ...traffic };
      const cpu = process.cpuUsage();
      const seconds = await runSweep(coordinator.services, queueDataset, `queue ${round}`);
      const used = process.cpuUsage(cpu);
      queued.push({
        seconds,
        events: traffic.events - before.events,
        eventRequests: traffic.eventRequests - before.eventRequests,
        eventMs: traffic.eventMs - before.eventMs,
        cpuMs: (used.user + used.system) / 1000,
        bytes: traffic.servedBytes - before.servedBytes + (traffic.receivedBytes - before.receivedBytes),
        jobs: cells + 1,
      });
      console.error(`round ${round + 1}: queue, 2 workers ${seconds.toFixed(1)} s`);
    }
  }
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await coordinator.close();
  await local.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const localS = median(localSeconds);
const queueS = median(queued.map((q) => q.seconds));
const first = queued[0]!;
const eventsPerCell = median(queued.map((q) => q.events / q.jobs));
const eventMsPerEvent = median(queued.map((q) => q.eventMs / q.events));
const cpuMsPerEvent = median(queued.map((q) => q.cpuMs / q.events));
const cpuMsPerCell = median(queued.map((q) => q.cpuMs / q.jobs));
const figures = {
  cells,
  rounds,
  localSeconds: round3(localS),
  queueSeconds: round3(queueS),
  localCellsPerHour: Math.round((cells * 3600) / localS),
  queueCellsPerHour: Math.round((cells * 3600) / queueS),
  speedup: round3(localS / queueS),
  eventsPerCell: Math.round(eventsPerCell),
  eventsPerRequest: round3(median(queued.map((q) => q.events / q.eventRequests))),
  coordinatorMsPerEvent: round3(eventMsPerEvent),
  coordinatorCpuMsPerEvent: round3(cpuMsPerEvent),
  coordinatorCpuMsPerCell: round3(cpuMsPerCell),
  bytesPerCellColdCache: Math.round(first.bytes / first.jobs),
  bytesPerCellWarmCache:
    queued.length > 1 ? Math.round(median(queued.slice(1).map((q) => q.bytes / q.jobs))) : null,
  /** Cells per hour one coordinator core could take in, counting only its own CPU per cell. */
  coordinatorCpuBoundCellsPerHour: Math.round((3600 * 1000) / cpuMsPerCell),
};
console.log(`sweep of ${cells} cells (+1 dense parent), median of ${rounds} round(s):`);
console.log(
  `  local runner, 1 worker process: ${figures.localSeconds} s → ${figures.localCellsPerHour} cells/hour`,
);
console.log(
  `  queue, 2 prunelab workers:      ${figures.queueSeconds} s → ${figures.queueCellsPerHour} cells/hour (×${figures.speedup})`,
);
console.log(
  `  coordinator: ${figures.coordinatorMsPerEvent} ms per event in the event route, ${figures.coordinatorCpuMsPerEvent} ms CPU per event all in, ${figures.eventsPerCell} events per cell`,
);
console.log(`  moved per cell: ${figures.bytesPerCellColdCache} bytes (cold caches)`);
console.log(JSON.stringify(figures));
