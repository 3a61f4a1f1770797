// Runs with the real worker and engine on tiny data: a sweep trains ONE dense parent per seed and every
// prune run starts from it; a sensitivity analysis runs through runs.start; an export is recorded.
import { mkdtempSync, readFileSync, renameSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../src/main/services';
import { dataLayout } from '../../src/main/engine/types';
import type { ArtifactSummary, RunDetail, RunSummary } from '../../src/shared/dto';
import type { Events } from '../../src/shared/api';
import { tinyDataset } from '../cli/helpers';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-runs-'));
let services: AppServices;
let datasetId: string;
const train = { preset: 'lenet5', epochs: 1, batchSize: 8, seed: 5 };

async function call<T>(name: string, payload: unknown): Promise<T> {
  const result = await services.dispatch(name, payload);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

async function settleAllJobs() {
  const jobs = await call<{ id: string }[]>('jobs.list', {});
  return Promise.all(jobs.map((j) => services.waitForJob(j.id)));
}

beforeAll(async () => {
  services = await createAppServices({ dataDir: join(dir, 'data'), mode: 'cli' });
  const { jobId } = await call<{ jobId: string }>('datasets.import', { path: tinyDataset(dir, 3, 20) });
  const imported = await services.waitForJob(jobId);
  expect(imported.status, JSON.stringify(imported.error)).toBe('done');
  datasetId = (imported.result as { id: string }).id;
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runs with the real worker', () => {
  let parent: RunSummary;

  it('sweeps two criteria from one shared dense parent', async () => {
    const { sweepId, runIds } = await call<{ sweepId: string; runIds: string[] }>('runs.sweep', {
      datasetId,
      train,
      prune: { finetuneEpochs: 1, calibrationBatches: 2 },
      criteria: ['magnitude', 'random'],
      sparsities: [0.5],
      seeds: [5],
    });
    expect(runIds).toHaveLength(3);
    const outcomes = await settleAllJobs();
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done', 'done']);
    const runs = await call<RunSummary[]>('runs.list', { sweepId });
    const parents = runs.filter((r) => r.kind === 'train');
    expect(parents).toHaveLength(1);
    parent = parents[0]!;
    const parentDetail = await call<RunDetail>('runs.get', { id: parent.id });
    const children = await Promise.all(
      runs.filter((r) => r.kind === 'prune').map((r) => call<RunDetail>('runs.get', { id: r.id })),
    );
    expect(children.map((c) => c.config.prune?.criterion).sort()).toEqual(['magnitude', 'random']);
    // Every test image's predicted and true class was recorded and stored; the indices are the test
    // split's, as datasets.samples serves it (what a confusion cell's image list asks for).
    const evaluation = parentDetail.evaluation!;
    expect(evaluation.split).toBe('test');
    const tested = evaluation.confusion.flat().reduce((a, b) => a + b, 0);
    expect(evaluation.predictions).toHaveLength(tested);
    const served = await call<{ items: { index: number; label: number }[] }>('datasets.samples', {
      id: datasetId,
      split: 'test',
      indices: Array.from({ length: tested }, (_, i) => i),
      limit: tested,
    });
    expect(evaluation.labels).toEqual(served.items.map((item) => item.label));
    const counted = evaluation.confusion.map((row) => row.map(() => 0));
    evaluation.labels!.forEach((label, i) => (counted[label]![evaluation.predictions![i]!]! += 1));
    expect(counted).toEqual(evaluation.confusion);
    for (const child of children) {
      expect(child.parentRunId).toBe(parent.id);
      // Both started from the very model the parent saved: their dense evaluation is the parent's.
      expect(child.denseEvaluation?.confusion).toEqual(parentDetail.evaluation?.confusion);
      expect(child.denseEvaluation?.loss).toBeCloseTo(parentDetail.evaluation!.loss, 5);
      expect(child.denseEvaluation?.predictions).toEqual(parentDetail.evaluation?.predictions);
      expect(child.evaluation?.split).toBe('test');
      expect(child.evaluation?.labels).toEqual(parentDetail.evaluation?.labels);
      expect(child.sparsity).toBeCloseTo(0.5, 2);
      expect(child.pruneSteps.length).toBeGreaterThan(0);
      expect(child.metrics.some((m) => m.phase === 'finetune')).toBe(true);
    }
  });

  it('runs a sensitivity analysis through runs.start and records one curve per layer', async () => {
    const curves: Events['run.sensitivity'][] = [];
    const off = services.subscribe('run.sensitivity', (c) => curves.push(c));
    const { runId, jobId } = await call<{ runId: string; jobId: string }>('runs.start', {
      config: {
        datasetId,
        train,
        parentRunId: parent.id,
        sensitivity: { sparsities: [0, 0.5, 0.9], validationSamples: 6 },
      },
    });
    const outcome = await services.waitForJob(jobId);
    off();
    expect(outcome.status, JSON.stringify(outcome.error)).toBe('done');
    const run = await call<RunDetail>('runs.get', { id: runId });
    expect(run.kind).toBe('sensitivity');
    expect(run.parentRunId).toBe(parent.id);
    expect(run.sensitivity.length).toBeGreaterThan(1);
    for (const curve of run.sensitivity) {
      expect(curve.sparsities).toEqual([0, 0.5, 0.9]);
      expect(curve.accuracies).toHaveLength(3);
    }
    expect(curves.map((c) => c.curve.layer).sort()).toEqual(run.sensitivity.map((c) => c.layer).sort());
  });

  it('exports a run into the data dir by default and lists the artifact', async () => {
    const before = await call<RunSummary>('runs.get', { id: parent.id });
    const statuses: Events['run.status'][] = [];
    const off = services.subscribe('run.status', (s) => statuses.push(s));
    const { jobId } = await call<{ jobId: string }>('exports.create', { runId: parent.id, format: 'tfjs' });
    const outcome = await services.waitForJob(jobId);
    off();
    expect(outcome.status, JSON.stringify(outcome.error)).toBe('done');
    // An export is not the run's own work: its status and finishedAt stay as training left them.
    expect(statuses.filter((s) => s.runId === parent.id)).toEqual([]);
    const after = await call<RunSummary>('runs.get', { id: parent.id });
    expect([after.status, after.startedAt, after.finishedAt]).toEqual([
      'done',
      before.startedAt,
      before.finishedAt,
    ]);
    const artifacts = await call<ArtifactSummary[]>('exports.list', { runId: parent.id });
    expect(artifacts).toHaveLength(1);
    expect(artifacts[0]!.id).toBe(outcome.artifactId);
    expect(artifacts[0]!.path).toBe(join(dir, 'data', 'exports', parent.id, 'tfjs-float32'));
    expect(existsSync(join(artifacts[0]!.path, 'model.json'))).toBe(true);
    expect(artifacts[0]!.parity?.ok).toBe(true);
    const run = await call<RunSummary>('runs.get', { id: parent.id });
    expect(run.exportGzipBytes).toBe(artifacts[0]!.gzipBytes);
    expect(run.smallestExport).toEqual({
      artifactId: outcome.artifactId,
      format: 'tfjs',
      encoding: 'float32',
    });
  });

  it('refuses an export folder whose path runs through a file before any work, naming it', async () => {
    const before = await call<RunSummary>('runs.get', { id: parent.id });
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const result = await services.dispatch('exports.create', {
      runId: parent.id,
      outDir: join(blocker, 'model'),
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(!result.ok && result.error.message).toMatch(
      /not-a-folder\/model cannot be written: a part of its path is a file/,
    );
    expect(readFileSync(blocker, 'utf8')).toBe('x');
    const after = await call<RunSummary>('runs.get', { id: parent.id });
    expect([after.status, after.finishedAt]).toEqual(['done', before.finishedAt]);
  });

  it('a failed export leaves the run done, with its finishedAt', async () => {
    const before = await call<RunSummary>('runs.get', { id: parent.id });
    // The run's saved model moved away makes the export job itself fail; it is put back afterwards.
    const runDir = dataLayout.runDir(join(dir, 'data'), parent.id);
    renameSync(runDir, `${runDir}.away`);
    try {
      const { jobId } = await call<{ jobId: string }>('exports.create', {
        runId: parent.id,
        outDir: join(dir, 'failed-export'),
      });
      const outcome = await services.waitForJob(jobId);
      expect(outcome.status).toBe('failed');
    } finally {
      renameSync(`${runDir}.away`, runDir);
    }
    const after = await call<RunSummary>('runs.get', { id: parent.id });
    expect([after.status, after.finishedAt, after.error]).toEqual(['done', before.finishedAt, null]);
  });

  it('refuses to export a sensitivity run or a run that is not done', async () => {
    const runs = await call<RunSummary[]>('runs.list', { kind: 'sensitivity' });
    expect(await services.dispatch('exports.create', { runId: runs[0]!.id })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
  });
});
