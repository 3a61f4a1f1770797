import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/errors';
import { processStartToken, type Store } from '../../src/main/store';
import {
  fixtureOwner,
  memoryStore,
  pruneConfig,
  sampleDataset,
  sampleEvaluation,
  trainConfig,
} from './fixtures';

let store: Store;
beforeEach(() => {
  store = memoryStore();
  store.datasets.save(sampleDataset('ds-1', 'Shapes'));
  store.datasets.save(sampleDataset('ds-2', 'Digits'));
});
afterEach(() => store.close());

describe('runs repository', () => {
  it('creates a queued run and reads it back as a RunSummary', () => {
    const config = trainConfig('ds-1', 7);
    const created = store.runs.create({ name: 'dense', kind: 'train', config });
    expect(created).toEqual({
      id: 't-1',
      name: 'dense',
      kind: 'train',
      status: 'queued',
      datasetId: 'ds-1',
      datasetName: 'Shapes',
      config,
      seed: 7,
      backend: null,
      parentRunId: null,
      sweepId: null,
      createdAt: '2026-01-01T12:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      error: null,
      best: {},
      final: {},
      sparsity: null,
      testAccuracy: null,
      exportGzipBytes: null,
      smallestExport: null,
    });
    expect(store.runs.get('t-1')).toEqual(created);
    expect(store.runs.get('nope')).toBeNull();
  });

  it('takes the parent from the config and records lineage, sweep, backend and outcome fields', () => {
    const parent = store.runs.create({ name: 'dense', kind: 'train', config: trainConfig() });
    const sweep = store.sweeps.create({ name: 'grid', datasetId: 'ds-1', request: { criteria: ['taylor'] } });
    const child = store.runs.create({
      name: 'pruned',
      kind: 'prune',
      config: pruneConfig('ds-1', parent.id),
      sweepId: sweep.id,
    });
    expect(child.parentRunId).toBe(parent.id);
    expect(child.sweepId).toBe(sweep.id);

    store.runs.setBackend(child.id, { name: 'wasm', threads: 2, reason: 'tfjs-node not installed' });
    store.runs.setSparsity(child.id, 0.79);
    store.evaluations.save(child.id, 'final', sampleEvaluation(0.81));
    store.artifacts.create({
      runId: child.id,
      format: 'tfjs',
      encoding: 'float32',
      path: '/x/a',
      zipPath: null,
      bytes: 1000,
      gzipBytes: 700,
      sha256: 'a'.repeat(64),
      sizes: null,
      parity: null,
    });
    store.artifacts.create({
      runId: child.id,
      format: 'onnx',
      encoding: 'uint8',
      path: '/x/b',
      zipPath: '/x/b.zip',
      bytes: 400,
      gzipBytes: 300,
      sha256: 'b'.repeat(64),
      sizes: null,
      parity: null,
    });
    const read = store.runs.get(child.id);
    expect(read?.backend).toEqual({ name: 'wasm', threads: 2, reason: 'tfjs-node not installed' });
    expect(read?.sparsity).toBe(0.79);
    expect(read?.testAccuracy).toBe(0.81);
    expect(read?.exportGzipBytes).toBe(300);
  });

  it('stamps timestamps and the owner on status changes and clears them on re-queue', () => {
    const run = store.runs.create({ name: 'r', kind: 'train', config: trainConfig() });
    const running = store.runs.setStatus(run.id, 'running');
    expect(running.status).toBe('running');
    expect(running.startedAt).toBe('2026-01-01T12:00:01.000Z');
    expect(store.runs.state(run.id)?.ownerPid).toBe(4242);
    const failed = store.runs.setStatus(run.id, 'failed', { error: 'worker died (SIGKILL)' });
    expect(failed).toMatchObject({ status: 'failed', error: 'worker died (SIGKILL)' });
    expect(failed.finishedAt).toBe('2026-01-01T12:00:02.000Z');
    expect(store.runs.state(run.id)?.ownerPid).toBeNull();
    const requeued = store.runs.setStatus(run.id, 'queued');
    expect(requeued).toMatchObject({ status: 'queued', error: null, finishedAt: null });
    // Starting again keeps the first start time.
    expect(store.runs.setStatus(run.id, 'running').startedAt).toBe('2026-01-01T12:00:01.000Z');
    expect(() => store.runs.setStatus('missing', 'done')).toThrow(/no run with id missing/);
  });

  it('stores hostile text as data (values are always bound)', () => {
    const name = 'x\'); DROP TABLE runs; -- \u0000 ☃ "quoted"';
    const run = store.runs.create({ name, kind: 'train', config: trainConfig() });
    store.runs.setStatus(run.id, 'failed', { error: "it's \n broken; DELETE FROM runs" });
    expect(store.runs.get(run.id)).toMatchObject({ name, error: "it's \n broken; DELETE FROM runs" });
    expect(store.runs.list()).toHaveLength(1);
  });

  it('records checkpoint and model dir for resume', () => {
    const run = store.runs.create({ name: 'r', kind: 'train', config: trainConfig() });
    // A new run is queued, so it belongs to the process that created it from the start.
    expect(store.runs.state(run.id)).toEqual({
      status: 'queued',
      checkpoint: null,
      modelDir: null,
      ownerPid: fixtureOwner.pid,
      ownerStarted: fixtureOwner.started,
    });
    store.runs.setCheckpoint(run.id, { epoch: 2, phase: 'train', path: '/runs/r/checkpoints/2' });
    store.runs.setModelDir(run.id, '/runs/r/model');
    expect(store.runs.state(run.id)).toEqual({
      status: 'queued',
      checkpoint: { epoch: 2, phase: 'train', path: '/runs/r/checkpoints/2' },
      modelDir: '/runs/r/model',
      ownerPid: fixtureOwner.pid,
      ownerStarted: fixtureOwner.started,
    });
  });

  it('marks runs of dead owners interrupted, leaves live owners and finished runs alone', () => {
    const a = store.runs.create({ name: 'a', kind: 'train', config: trainConfig() });
    const b = store.runs.create({ name: 'b', kind: 'train', config: trainConfig() });
    const c = store.runs.create({ name: 'c', kind: 'train', config: trainConfig() });
    store.runs.setStatus(a.id, 'running');
    store.runs.setStatus(b.id, 'running');
    store.runs.setStatus(c.id, 'done');
    // b belongs to another process that is still alive (e.g. the CLI).
    store.db.prepare('UPDATE runs SET owner_pid = 999 WHERE id = ?').run(b.id);
    store.db.prepare('UPDATE runs SET owner_pid = 998 WHERE id = ?').run(a.id);
    const ids = store.markInterruptedRuns((pid) => pid === 999);
    expect(ids).toEqual([a.id]);
    expect(store.runs.get(a.id)).toMatchObject({ status: 'interrupted' });
    expect(store.runs.get(a.id)?.error).toMatch(/resume/);
    expect(store.runs.get(a.id)?.finishedAt).not.toBeNull();
    expect(store.runs.get(b.id)?.status).toBe('running');
    expect(store.runs.get(c.id)?.status).toBe('done');
  });

  it('re-queues (resumes) a run only when no other live process holds its lease', () => {
    const run = store.runs.create({ name: 'r', kind: 'train', config: trainConfig() });
    store.runs.setStatus(run.id, 'running');
    const setOwner = (pid: number, started: string | null) =>
      store.db
        .prepare('UPDATE runs SET owner_pid = ?, owner_started = ? WHERE id = ?')
        .run(pid, started, run.id);
    // Another process that is alive (this test's own process, by pid and real start time) owns it.
    setOwner(process.pid, processStartToken(process.pid));
    expect(store.runs.foreignOwner(run.id)).toEqual({
      pid: process.pid,
      started: processStartToken(process.pid),
    });
    let refusal: unknown;
    try {
      store.runs.setStatus(run.id, 'queued');
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`pid ${process.pid}`),
    });
    expect(store.runs.get(run.id)?.status).toBe('running');
    // The same pid with another start time is a different process (the pid was reused): no owner.
    setOwner(process.pid, 'linux:some-other-boot:12345');
    expect(store.runs.foreignOwner(run.id)).toBeNull();
    expect(store.runs.setStatus(run.id, 'queued').status).toBe('queued');
    expect(store.runs.state(run.id)).toMatchObject({
      ownerPid: fixtureOwner.pid,
      ownerStarted: fixtureOwner.started,
    });
    // A finished run belongs to nobody.
    store.runs.setStatus(run.id, 'done');
    expect(store.runs.state(run.id)).toMatchObject({ ownerPid: null, ownerStarted: null });
  });

  it('reads a process start time that tells a process from a later one with the same pid', () => {
    const mine = processStartToken(process.pid);
    if (process.platform === 'linux' || process.platform === 'darwin')
      expect(mine).toEqual(expect.any(String));
    expect(processStartToken(process.pid)).toBe(mine);
    expect(processStartToken(process.ppid)).not.toBe(mine);
    expect(processStartToken(2 ** 30)).toBeNull();
  });

  it('marks queued runs of a dead owner interrupted too, so they can be resumed', () => {
    const queued = store.runs.create({ name: 'q', kind: 'train', config: trainConfig() });
    const mine = store.runs.create({ name: 'm', kind: 'train', config: trainConfig() });
    store.db.prepare('UPDATE runs SET owner_pid = 998 WHERE id = ?').run(queued.id);
    store.db.prepare('UPDATE runs SET owner_pid = 999 WHERE id = ?').run(mine.id);
    expect(store.markInterruptedRuns((pid) => pid === 999)).toEqual([queued.id]);
    expect(store.runs.get(queued.id)).toMatchObject({
      status: 'interrupted',
      error: expect.stringMatching(/resume/),
    });
    expect(store.runs.get(mine.id)?.status).toBe('queued');
  });

  it('filters the list by dataset, criterion, status, kind, sweep and parent, newest first', () => {
    const dense1 = store.runs.create({ name: 'dense1', kind: 'train', config: trainConfig('ds-1') });
    const dense2 = store.runs.create({ name: 'dense2', kind: 'train', config: trainConfig('ds-2') });
    const sweep = store.sweeps.create({ name: 'grid', datasetId: 'ds-1', request: {} });
    const taylor = store.runs.create({
      name: 'taylor',
      kind: 'prune',
      config: pruneConfig('ds-1', dense1.id, 'taylor'),
      sweepId: sweep.id,
    });
    const magnitude = store.runs.create({
      name: 'magnitude',
      kind: 'prune',
      config: pruneConfig('ds-1', dense1.id, 'magnitude'),
      sweepId: sweep.id,
    });
    const sens = store.runs.create({
      name: 'sens',
      kind: 'sensitivity',
      config: {
        ...trainConfig('ds-2'),
        parentRunId: dense2.id,
        sensitivity: {
          criterion: 'magnitude',
          sparsities: [0, 0.5],
          validationSamples: 10,
          calibrationBatches: 8,
        },
      },
    });
    store.runs.setStatus(magnitude.id, 'running');
    store.runs.setStatus(dense1.id, 'done');

    const names = (filter: Parameters<Store['runs']['list']>[0]) =>
      store.runs.list(filter).map((r) => r.name);
    expect(names({})).toEqual(['sens', 'magnitude', 'taylor', 'dense2', 'dense1']);
    expect(names({ datasetId: 'ds-2' })).toEqual(['sens', 'dense2']);
    expect(names({ criterion: 'magnitude' })).toEqual(['sens', 'magnitude']);
    expect(names({ criterion: 'magnitude', kind: 'prune' })).toEqual(['magnitude']);
    expect(names({ status: 'running' })).toEqual(['magnitude']);
    expect(names({ status: 'done' })).toEqual(['dense1']);
    expect(names({ kind: 'train' })).toEqual(['dense2', 'dense1']);
    expect(names({ sweepId: sweep.id })).toEqual(['magnitude', 'taylor']);
    expect(names({ parentRunId: dense1.id })).toEqual(['magnitude', 'taylor']);
    expect(names({ limit: 2, offset: 1 })).toEqual(['magnitude', 'taylor']);
    expect(names({ datasetId: 'ds-2', kind: 'prune' })).toEqual([]);
    void taylor;
    void sens;
  });

  it('deletes a run with its series; children are orphaned, not deleted', () => {
    const parent = store.runs.create({ name: 'p', kind: 'train', config: trainConfig() });
    const child = store.runs.create({ name: 'c', kind: 'prune', config: pruneConfig('ds-1', parent.id) });
    store.metrics.append(parent.id, {
      epoch: 1,
      phase: 'train',
      values: [{ split: 'train', name: 'loss', value: 1 }],
    });
    expect(store.runs.remove(parent.id)).toBe(true);
    expect(store.runs.remove(parent.id)).toBe(false);
    expect(store.metrics.series(parent.id)).toEqual([]);
    expect(store.db.prepare('SELECT count(*) AS n FROM metric_summaries').get()).toEqual({ n: 0 });
    expect(store.runs.get(child.id)?.parentRunId).toBeNull();
  });

  it('refuses a run naming a missing dataset, parent or sweep with NOT_FOUND', () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as ApiError;
      }
      throw new Error('expected an error');
    };
    const ghostDataset = err(() =>
      store.runs.create({ name: 'x', kind: 'train', config: trainConfig('ghost') }),
    );
    expect(ghostDataset).toBeInstanceOf(ApiError);
    expect(ghostDataset).toMatchObject({ code: 'NOT_FOUND', message: 'no dataset with id ghost' });
    expect(
      err(() => store.runs.create({ name: 'x', kind: 'prune', config: pruneConfig('ds-1', 'gone') })),
    ).toMatchObject({
      code: 'NOT_FOUND',
      message: 'no parent run with id gone',
    });
    expect(
      err(() => store.runs.create({ name: 'x', kind: 'train', config: trainConfig(), sweepId: 'nosweep' })),
    ).toMatchObject({ code: 'NOT_FOUND', message: 'no sweep with id nosweep' });
    expect(store.runs.list()).toEqual([]);
  });
});
