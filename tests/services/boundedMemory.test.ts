// A long-running app keeps bounded memory: a job's result (with its per-image predictions) is let go once
// it is recorded and its waiters have it, and the queue refuses work beyond its cap — a sweep larger
// than the cap is refused whole, before anything is queued, with a message naming the cap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppServices, createForkLauncher, type AppServices } from '../../src/main/services';
import { call, importDataset } from './fixtures/calls';

const entry = fileURLToPath(new URL('./fixtures/scriptedWorker.ts', import.meta.url));

// A real collection is the only honest proof that nothing holds a result any more.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let dir: string;
let services: AppServices | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunelab-bounded-'));
});
afterEach(async () => {
  await services?.close();
  services = null;
  rmSync(dir, { recursive: true, force: true });
});

async function open(options: { keepFinishedJobs?: number; maxQueuedJobs?: number } = {}) {
  services = await createAppServices({
    dataDir: join(dir, 'data'),
    mode: 'cli',
    launcher: createForkLauncher({ entry }),
    flushIntervalMs: 20,
    ...options,
  });
  return services;
}

function tableCount(s: AppServices, table: string): number {
  return (s.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('bounded memory in a long-running app', () => {
  it("lets go of a finished job's result once it is recorded (only the newest few stay for late waiters)", async () => {
    const s = await open({ keepFinishedJobs: 1 });
    const datasetId = await importDataset(s);
    const first = await call<{ runId: string; jobId: string }>(s, 'runs.start', {
      config: { datasetId, train: { epochs: 1 } },
    });
    // Only a weak reference leaves this helper: the test itself must not keep the result alive.
    const weakResult = async (jobId: string) => {
      const result = await s.waitForJob(jobId);
      expect(result.status).toBe('done');
      return new WeakRef(result.result as object);
    };
    const held = await weakResult(first.jobId);
    const second = await call<{ jobId: string }>(s, 'runs.start', {
      config: { datasetId, train: { epochs: 1 } },
    });
    expect((await s.waitForJob(second.jobId)).status).toBe('done');
    // The newest finished job is still there for a caller that asks late…
    expect((await s.waitForJob(second.jobId)).result).toMatchObject({ evaluation: { accuracy: 0.9 } });
    // …the older one is gone: its result object was collected, and asking for it says why.
    await expect(s.waitForJob(first.jobId)).rejects.toThrow(/no longer held/);
    // (Stray references from the last moments of a job — timers, closing pipes — go within a few ticks.)
    await expect
      .poll(() => {
        collectGarbage();
        return held.deref() === undefined;
      })
      .toBe(true);
    // The run itself is in the store: nothing recorded was lost.
    expect(await call(s, 'runs.get', { id: first.runId })).toMatchObject({
      status: 'done',
      evaluation: { accuracy: 0.9 },
    });
  });

  it('refuses a sweep larger than the queue cap before anything is queued, naming the cap', async () => {
    const s = await open();
    const datasetId = await importDataset(s);
    const before = { runs: tableCount(s, 'runs'), sweeps: tableCount(s, 'sweeps') };
    const huge = await s.dispatch('runs.sweep', {
      datasetId,
      train: { epochs: 1 },
      criteria: ['taylor', 'gradient', 'magnitude', 'random'],
      sparsities: Array.from({ length: 20 }, (_, i) => i / 20),
      seeds: Array.from({ length: 10 }, (_, i) => i + 1),
      schedules: [
        { kind: 'oneshot' },
        { kind: 'iterative', rounds: 2 },
        { kind: 'iterative', rounds: 3 },
        { kind: 'iterative', rounds: 4 },
        { kind: 'iterative', rounds: 5 },
      ],
    });
    expect(huge).toMatchObject({
      ok: false,
      error: {
        code: 'LIMIT',
        message: expect.stringMatching(/4,010 .*at most 1,000/),
        details: { limit: 'queuedJobs', max: 1000 },
      },
    });
    expect({ runs: tableCount(s, 'runs'), sweeps: tableCount(s, 'sweeps') }).toEqual(before);
    expect(await call<unknown[]>(s, 'jobs.list', {})).toEqual([]);
  });

  it('counts what is already queued: starts, sweeps and imports are refused while the queue is full', async () => {
    const s = await open({ maxQueuedJobs: 5 });
    const datasetId = await importDataset(s);
    const slow = { datasetId, train: { epochs: 500 } };
    const sweep = await call<{ runIds: string[] }>(s, 'runs.sweep', {
      datasetId,
      train: { epochs: 500 },
      criteria: ['magnitude'],
      sparsities: [0.5, 0.9],
      seeds: [1],
    });
    expect(sweep.runIds).toHaveLength(3);
    const runsBefore = tableCount(s, 'runs');
    // 3 queued + a prune run with its dense parent (2) = 5: fits exactly.
    await call(s, 'runs.start', { config: { ...slow, prune: { criterion: 'magnitude' } } });
    expect(tableCount(s, 'runs')).toBe(runsBefore + 2);
    for (const [name, payload] of [
      ['runs.start', { config: slow }],
      [
        'runs.sweep',
        { datasetId, train: { epochs: 1 }, criteria: ['random'], sparsities: [0.5], seeds: [1] },
      ],
      ['datasets.import', { path: '/more/images' }],
    ] as const) {
      expect(await s.dispatch(name, payload), name).toMatchObject({
        ok: false,
        error: { code: 'LIMIT', message: expect.stringContaining('at most 5'), details: { max: 5 } },
      });
    }
    expect(tableCount(s, 'runs')).toBe(runsBefore + 2);
    expect(await call<unknown[]>(s, 'jobs.list', {})).toHaveLength(5);
  });
});
