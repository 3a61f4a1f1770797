import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppServices, createForkLauncher, type AppServices } from '../../src/main/services';
import type { RunSummary } from '../../src/shared/dto';
import type { EventName, Events } from '../../src/shared/api';
import { call, importDataset } from './fixtures/calls';

const entry = fileURLToPath(new URL('./fixtures/scriptedWorker.ts', import.meta.url));

let dir: string;
let logFile: string;
let services: AppServices | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunelab-services-'));
  logFile = join(dir, 'tasks.log');
});
afterEach(async () => {
  await services?.close();
  services = null;
  rmSync(dir, { recursive: true, force: true });
});

async function open(): Promise<AppServices> {
  services = await createAppServices({
    dataDir: join(dir, 'data'),
    mode: 'cli',
    launcher: createForkLauncher({ entry, env: { ...process.env, PRUNELAB_TEST_LOG: logFile } }),
    flushIntervalMs: 20,
  });
  return services;
}

function taskLog(): { task: string; input: Record<string, unknown> }[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

function record<E extends EventName>(s: AppServices, event: E): Events[E][] {
  const seen: Events[E][] = [];
  s.subscribe(event, (data) => seen.push(data));
  return seen;
}

function tableCounts(s: AppServices): Record<string, number> {
  const tables = [
    'datasets',
    'runs',
    'metrics',
    'sweeps',
    'artifacts',
    'settings',
    'prune_steps',
    'evaluations',
  ];
  return Object.fromEntries(
    tables.map((t) => [t, (s.store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]),
  );
}

describe('services dispatch validation', () => {
  it('answers every hostile payload with a VALIDATION error and writes nothing', async () => {
    const s = await open();
    const datasetId = await importDataset(s);
    const before = tableCounts(s);
    const filesBefore = readdirSync(join(dir, 'data'), { recursive: true }).length;
    const hostile: [string, unknown][] = [
      ['no.such.request', {}],
      ['__proto__', {}],
      ['constructor', {}],
      ['datasets.import', { path: 'relative/path' }],
      ['datasets.import', { path: '/a/../../etc/passwd' }],
      ['datasets.import', { path: '/a\0b' }],
      ['datasets.import', { path: '/ok', split: { train: 0.9, validation: 0.9, test: 0 } }],
      ['datasets.import', JSON.parse('{"path":"/ok","__proto__":{"polluted":true}}')],
      ['datasets.get', { id: '../../etc' }],
      ['datasets.get', { id: 'x'.repeat(65) }],
      ['datasets.get', null],
      ['datasets.get', 'just a string'],
      ['datasets.delete', { id: 'a b' }],
      ['runs.start', { config: { datasetId, train: { epochs: -1 } } }],
      ['runs.start', { config: { datasetId, train: { epochs: 1e9 } } }],
      ['runs.start', { config: { datasetId, train: { learningRate: Number.NaN } } }],
      ['runs.start', { config: { datasetId, train: { preset: 'resnet-9000' } } }],
      ['runs.start', { config: { datasetId, prune: { target: { kind: 'sparsity', value: 1.5 } } } }],
      ['runs.start', { config: { datasetId, prune: {}, sensitivity: {} } }],
      ['runs.start', { config: { datasetId, extra: true } }],
      ['runs.sweep', { datasetId, criteria: [], sparsities: [0.5], seeds: [1] }],
      [
        'runs.sweep',
        {
          datasetId,
          criteria: ['taylor'],
          sparsities: [0.5],
          seeds: Array.from({ length: 11 }, (_, i) => i),
        },
      ],
      ['runs.list', { limit: 0 }],
      ['runs.compare', { ids: ['only-one'] }],
      ['exports.create', { runId: 'r', format: 'pickle' }],
      ['exports.create', { runId: 'r', outDir: 'rel' }],
      ['settings.set', { jobConcurrency: 0 }],
      ['settings.set', { theme: 'neon' }],
      ['settings.set', { recentDatasets: ['../x'] }],
      ['settings.set', { queueUrl: 'http://lab:6379' }],
      ['settings.set', { queueUrl: 'redis://lab 6379' }],
      ['jobs.queue', { verbose: true }],
      ['jobs.cancel', { jobId: '' }],
    ];
    for (const [name, payload] of hostile) {
      const result = await s.dispatch(name, payload);
      expect(result.ok, `${name} ${JSON.stringify(payload)}`).toBe(false);
      if (!result.ok) expect(result.error.code, `${name} ${JSON.stringify(payload)}`).toBe('VALIDATION');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(tableCounts(s)).toEqual(before);
    expect(readdirSync(join(dir, 'data'), { recursive: true }).length).toBe(filesBefore);
    expect(s.handlers['jobs.list'] && (await call<unknown[]>(s, 'jobs.list', {}))).toEqual([]);
    // Without a queue, jobs run here and the queue view says so.
    expect(await call(s, 'jobs.queue', {})).toEqual({
      enabled: false,
      url: null,
      depth: null,
      workers: [],
      problem: null,
    });
    expect(taskLog().filter((l) => l.task !== 'importTask')).toEqual([]);
  });

  it('answers missing things with NOT_FOUND and impossible actions with CONFLICT, as data', async () => {
    const s = await open();
    const missing = await s.dispatch('runs.get', { id: 'nope' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await s.dispatch('runs.start', { config: { datasetId: 'nope' } })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    const datasetId = await importDataset(s);
    const { runId, jobId } = await call<{ runId: string; jobId: string }>(s, 'runs.start', {
      config: { datasetId, train: { epochs: 1 } },
    });
    await s.waitForJob(jobId);
    expect(await s.dispatch('runs.cancel', { id: runId })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await s.dispatch('runs.resume', { id: runId })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await s.dispatch('system.reveal', { path: '/tmp' })).toMatchObject({
      ok: false,
      error: { code: 'UNSUPPORTED' },
    });
  });
});

describe('services recording results', () => {
  it('fails the job with a clear error and writes nothing when the store refuses a task result', async () => {
    const s = await open();
    const finished = record(s, 'job.finished');
    const { jobId } = await call<{ jobId: string }>(s, 'datasets.import', {
      path: '/some/images',
      name: 'unstorable',
    });
    const result = await s.waitForJob(jobId);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('STORE');
    expect(result.error?.message).toContain('CHECK constraint failed');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ jobId, status: 'failed' });
    expect(await call<unknown[]>(s, 'datasets.list', {})).toEqual([]);
    expect((await call<{ recentDatasets: string[] }>(s, 'settings.get', {})).recentDatasets).toEqual([]);
    // The services keep working afterwards.
    await importDataset(s);
  });
});

describe('services runs', () => {
  it('expands a sweep into one shared dense parent per seed and records every run', async () => {
    const s = await open();
    const datasetId = await importDataset(s);
    const finished = record(s, 'job.finished');
    const sweep = await call<{ sweepId: string; runIds: string[] }>(s, 'runs.sweep', {
      name: 'grid',
      datasetId,
      train: { epochs: 2 },
      criteria: ['taylor', 'random'],
      sparsities: [0.5, 0.9],
      seeds: [1, 2],
    });
    expect(sweep.runIds).toHaveLength(2 + 2 * 2 * 2);
    const jobs = await call<{ id: string }[]>(s, 'jobs.list', {});
    await Promise.all(jobs.map((j) => s.waitForJob(j.id)));
    expect(finished.every((f) => f.status === 'done')).toBe(true);

    const runs = await call<RunSummary[]>(s, 'runs.list', { sweepId: sweep.sweepId });
    expect(runs).toHaveLength(10);
    expect(runs.every((r) => r.status === 'done')).toBe(true);
    const parents = runs.filter((r) => r.kind === 'train');
    expect(parents.map((p) => p.seed).sort()).toEqual([1, 2]);
    const children = runs.filter((r) => r.kind === 'prune');
    for (const child of children) {
      const parent = parents.find((p) => p.id === child.parentRunId);
      expect(parent, child.name).toBeDefined();
      expect(parent!.seed).toBe(child.seed);
    }
    // Each seed's dense model was trained exactly once; every prune task started from its parent's model.
    const log = taskLog();
    expect(log.filter((l) => l.task === 'trainTask')).toHaveLength(2);
    const pruneInputs = log.filter((l) => l.task === 'pruneTask').map((l) => l.input);
    expect(pruneInputs).toHaveLength(8);
    for (const input of pruneInputs) {
      const child = children.find((c) => c.id === input.runId)!;
      expect(input.parentModelDir).toBe(join(dir, 'data', 'runs', child.parentRunId!, 'model'));
    }
    // No prune task started before its own parent's training.
    for (const [i, line] of log.entries()) {
      if (line.task !== 'pruneTask') continue;
      const parentId = children.find((c) => c.id === line.input.runId)!.parentRunId;
      const parentLine = log.findIndex((l) => l.task === 'trainTask' && l.input.runId === parentId);
      expect(parentLine).toBeGreaterThanOrEqual(0);
      expect(parentLine).toBeLessThan(i);
    }
  });

  it('creates a dense parent first for a prune run without one, and records metrics and evaluations', async () => {
    const s = await open();
    const datasetId = await importDataset(s);
    const epochs = record(s, 'run.epoch');
    const statuses = record(s, 'run.status');
    const backends = record(s, 'run.backend');
    const { runId, jobId } = await call<{ runId: string; jobId: string }>(s, 'runs.start', {
      name: 'p',
      config: { datasetId, train: { epochs: 3 }, prune: { criterion: 'magnitude' } },
    });
    const result = await s.waitForJob(jobId);
    expect(result.status).toBe('done');
    const detail = await call<{
      parentRunId: string;
      denseEvaluation: { accuracy: number };
      evaluation: { accuracy: number };
      sparsity: number;
    }>(s, 'runs.get', { id: runId });
    expect(detail.evaluation.accuracy).toBe(0.85);
    expect(detail.denseEvaluation.accuracy).toBe(0.9);
    expect(detail.sparsity).toBe(0.8);
    const parent = await call<{
      kind: string;
      name: string;
      metrics: { values: number[] }[];
      status: string;
    }>(s, 'runs.get', {
      id: detail.parentRunId,
    });
    expect(parent.kind).toBe('train');
    expect(parent.name).toBe('p · dense');
    expect(parent.status).toBe('done');
    expect(parent.metrics[0]!.values).toEqual([1, 1 / 2, 1 / 3]);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(statuses.filter((x) => x.runId === runId).map((x) => x.status)).toEqual([
      'queued',
      'running',
      'done',
    ]);
    expect(statuses.filter((x) => x.runId === detail.parentRunId).map((x) => x.status)).toEqual([
      'queued',
      'running',
      'done',
    ]);
    // each worker says which backend trains its run as soon as it knows (the page stops "waiting")
    expect(backends.map((b) => [b.runId, b.backend.reason])).toEqual([
      [detail.parentRunId, 'scripted'],
      [runId, 'scripted'],
    ]);

    const compare = await call<{ differences: { path: string }[] }>(s, 'runs.compare', {
      ids: [runId, detail.parentRunId],
    });
    expect(compare.differences.map((d) => d.path)).toContain('prune.criterion');
  });

  it('marks runs a dead process left running as interrupted at the next start', async () => {
    const s = await open();
    const datasetId = await importDataset(s);
    const run = s.store.runs.create({
      name: 'orphan',
      kind: 'train',
      config: { datasetId, train: (await import('../../src/shared/schemas')).trainConfig.parse({}) },
    });
    s.store.runs.setStatus(run.id, 'running');
    s.store.db.prepare('UPDATE runs SET owner_pid = 999999999 WHERE id = ?').run(run.id);
    await s.close();
    services = await createAppServices({
      dataDir: join(dir, 'data'),
      mode: 'cli',
      isOwnerAlive: () => false,
    });
    expect(services.interruptedAtStart).toEqual([run.id]);
    expect((await call<RunSummary>(services, 'runs.get', { id: run.id })).status).toBe('interrupted');
  });

  it('leaves runs that were still training when the services closed as interrupted (resumable)', async () => {
    const s = await open();
    const datasetId = await importDataset(s);
    const running = new Promise<void>((resolve) => s.subscribe('run.epoch', () => resolve()));
    const { runId } = await call<{ runId: string }>(s, 'runs.start', {
      config: { datasetId, train: { epochs: 500 } },
    });
    await running;
    await s.close();
    services = await open();
    const run = await call<RunSummary>(services, 'runs.get', { id: runId });
    expect(run.status).toBe('interrupted');
    expect(run.finishedAt).not.toBeNull();
  });

  it('cancels a running job through jobs.cancel and deletes a stopped run with its folder', async () => {
    const s = await open();
    const datasetId = await importDataset(s);
    const firstEpoch = new Promise<void>((resolve) => s.subscribe('run.epoch', () => resolve()));
    const { runId, jobId } = await call<{ runId: string; jobId: string }>(s, 'runs.start', {
      config: { datasetId, train: { epochs: 500 } },
    });
    await firstEpoch;
    expect(await s.dispatch('runs.delete', { id: runId })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(
      (await call<{ id: string; status: string }[]>(s, 'jobs.list', {})).map((j) => [j.id, j.status]),
    ).toEqual([[jobId, 'running']]);
    expect(await call(s, 'jobs.cancel', { jobId })).toEqual({ cancelled: true });
    const result = await s.waitForJob(jobId);
    expect(result.status).toBe('cancelled');
    expect((await call<RunSummary>(s, 'runs.get', { id: runId })).status).toBe('cancelled');
    expect(await s.dispatch('jobs.cancel', { jobId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });

    const runDir = join(dir, 'data', 'runs', runId);
    mkdirSync(runDir, { recursive: true });
    expect(await call(s, 'runs.delete', { id: runId })).toEqual({ deleted: true });
    expect(existsSync(runDir)).toBe(false);
    expect(await s.dispatch('runs.get', { id: runId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('stops a run of its own when another process asks through the store, queued or running', async () => {
    const s = await open();
    const datasetId = await importDataset(s);
    const firstEpoch = new Promise<void>((resolve) => s.subscribe('run.epoch', () => resolve()));
    const first = await call<{ runId: string; jobId: string }>(s, 'runs.start', {
      config: { datasetId, train: { epochs: 500 } },
    });
    // concurrency 1: the second waits in the queue
    const second = await call<{ runId: string; jobId: string }>(s, 'runs.start', {
      config: { datasetId, train: { epochs: 500 } },
    });
    await firstEpoch;
    s.store.runs.requestCancel(second.runId);
    expect((await s.waitForJob(second.jobId)).status).toBe('cancelled');
    s.store.runs.requestCancel(first.runId);
    expect((await s.waitForJob(first.jobId)).status).toBe('cancelled');
    const statuses = (await call<RunSummary[]>(s, 'runs.list', {})).map((r) => r.status);
    expect(statuses).toEqual(['cancelled', 'cancelled']);
  });

  it('applies a new job concurrency setting', async () => {
    const s = await open();
    expect(
      (await call<{ jobConcurrency: number }>(s, 'settings.set', { jobConcurrency: 2 })).jobConcurrency,
    ).toBe(2);
    expect((await call<{ jobConcurrency: number }>(s, 'settings.get', {})).jobConcurrency).toBe(2);
  });
});
