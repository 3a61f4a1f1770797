// Rows ⇄ DTO round trips for every repository: what goes in comes back equal, field for field.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactSummary, SizeTable } from '../../src/shared/dto';
import { defaultSettings, type Store } from '../../src/main/store';
import {
  memoryStore,
  pruneConfig,
  sampleCurve,
  sampleDataset,
  sampleEvaluation,
  samplePruneStep,
  trainConfig,
} from './fixtures';

let store: Store;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

const sizes: SizeTable = {
  export: { rawBytes: 1000, gzipBytes: 600, sparseGzipBytes: 300, parameters: 250, nonzeroParameters: 50 },
  dense: { rawBytes: 1000, gzipBytes: 900, sparseGzipBytes: 880, parameters: 250, nonzeroParameters: 250 },
  ratios: { raw: 1, gzip: 1.5, sparseGzip: 2.93 },
};

describe('datasets', () => {
  it('round-trips a DatasetDetail and lists DatasetSummaries without problems', () => {
    const detail = sampleDataset('ds-1', 'Shapes');
    expect(store.datasets.save(detail)).toEqual(detail);
    expect(store.datasets.get('ds-1')).toEqual(detail);
    const { problems: _problems, ...summary } = detail;
    expect(store.datasets.list()).toEqual([summary]);
    expect(store.datasets.classNames('ds-1')).toEqual(['circle', 'square']);
    expect(store.datasets.get('nope')).toBeNull();
  });

  it('replaces a re-imported dataset without losing its runs; remove cascades to runs', () => {
    store.datasets.save(sampleDataset('ds-1', 'Shapes'));
    const run = store.runs.create({ name: 'r', kind: 'train', config: trainConfig('ds-1') });
    store.datasets.save({ ...sampleDataset('ds-1', 'Shapes v2'), imported: 120 });
    expect(store.datasets.get('ds-1')?.imported).toBe(120);
    expect(store.runs.get(run.id)?.datasetName).toBe('Shapes v2');
    expect(store.datasets.remove('ds-1')).toBe(true);
    expect(store.runs.get(run.id)).toBeNull();
    expect(store.datasets.remove('ds-1')).toBe(false);
  });

  it('lists newest first', () => {
    store.datasets.save({ ...sampleDataset('a', 'A'), createdAt: '2026-01-01T00:00:00.000Z' });
    store.datasets.save({ ...sampleDataset('b', 'B'), createdAt: '2026-01-02T00:00:00.000Z' });
    expect(store.datasets.list().map((d) => d.id)).toEqual(['b', 'a']);
  });

  it('counts the runs on each dataset', () => {
    store.datasets.save(sampleDataset('a', 'A'));
    store.datasets.save(sampleDataset('b', 'B'));
    store.runs.create({ name: 'r1', kind: 'train', config: trainConfig('a') });
    store.runs.create({ name: 'r2', kind: 'train', config: trainConfig('a') });
    expect(store.datasets.list().map((d) => [d.id, d.runCount])).toEqual([
      ['b', 0],
      ['a', 2],
    ]);
    expect(store.datasets.get('a')?.runCount).toBe(2);
  });

  it('keeps names unique whatever their case: saving a taken name is a CONFLICT', () => {
    store.datasets.save(sampleDataset('a', 'Shapes'));
    expect(store.datasets.nameTaken('SHAPES')?.id).toBe('a');
    expect(store.datasets.nameTaken('Shapes', 'a')).toBeNull();
    expect(() => store.datasets.save(sampleDataset('b', 'shapes'))).toThrow(
      expect.objectContaining({ code: 'CONFLICT', message: expect.stringContaining('"shapes"') }),
    );
    expect(store.datasets.list()).toHaveLength(1);
  });

  it('renames a dataset with the runs and sweeps that carry its name', () => {
    store.datasets.save(sampleDataset('a', 'Shapes'));
    store.datasets.save(sampleDataset('b', 'Digits'));
    const named = store.runs.create({
      name: 'taylor 80% · Shapes · dense',
      kind: 'train',
      config: trainConfig('a'),
    });
    const typed = store.runs.create({ name: 'my Shapes run', kind: 'train', config: trainConfig('a') });
    const sweep = store.sweeps.create({ name: 'sweep · Shapes', datasetId: 'a', request: {} });
    const renamed = store.datasets.rename('a', 'Shapes v2');
    expect(renamed.name).toBe('Shapes v2');
    expect(store.runs.get(named.id)?.name).toBe('taylor 80% · Shapes v2 · dense');
    expect(store.runs.get(named.id)?.datasetName).toBe('Shapes v2');
    expect(store.runs.get(typed.id)?.name).toBe('my Shapes run');
    expect(store.sweeps.get(sweep.id)?.name).toBe('sweep · Shapes v2');
    // another dataset's name, in any case, is refused; renaming to its own name in another case is fine
    expect(() => store.datasets.rename('a', 'DIGITS')).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(store.datasets.rename('a', 'SHAPES V2').name).toBe('SHAPES V2');
    expect(() => store.datasets.rename('ghost', 'x')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('finds the oldest dataset with a content hash and lists the ones without', () => {
    store.datasets.save({
      ...sampleDataset('a', 'A'),
      contentHash: 'h1',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    store.datasets.save({
      ...sampleDataset('b', 'B'),
      contentHash: 'h1',
      createdAt: '2026-01-02T00:00:00.000Z',
    });
    store.datasets.save({ ...sampleDataset('c', 'C'), contentHash: null });
    expect(store.datasets.findByContentHash('h1')?.id).toBe('a');
    expect(store.datasets.findByContentHash('h2')).toBeNull();
    expect(store.datasets.unhashedIds()).toEqual(['c']);
    store.datasets.setContentHash('c', 'h3');
    expect(store.datasets.unhashedIds()).toEqual([]);
    expect(store.datasets.get('c')?.contentHash).toBe('h3');
  });
});

describe('run-owned records', () => {
  let runId: string;
  beforeEach(() => {
    store.datasets.save(sampleDataset());
    const parent = store.runs.create({ name: 'dense', kind: 'train', config: trainConfig() });
    runId = store.runs.create({ name: 'pruned', kind: 'prune', config: pruneConfig('ds-1', parent.id) }).id;
  });

  it('prune steps: a step with its layers, masks as bytes, in order; the run sparsity follows', () => {
    const s1 = samplePruneStep(1, 0.5);
    const s2 = samplePruneStep(2, 0.75);
    store.pruneSteps.record(runId, s2);
    store.pruneSteps.record(runId, s1);
    expect(store.pruneSteps.list(runId)).toEqual([s1, s2]);
    const blob = store.db
      .prepare('SELECT mask FROM prune_layers WHERE run_id = ? AND step = 1 AND position = 0')
      .get(runId) as {
      mask: Buffer;
    };
    expect([...blob.mask]).toEqual([0b10110010, 0b01100000]);
    expect(store.runs.get(runId)?.sparsity).toBe(0.5); // the last recorded step
    // Re-recording a step replaces it (and its layers) instead of duplicating.
    const again = { ...s1, layers: s1.layers.slice(0, 1) };
    store.pruneSteps.record(runId, again);
    expect(store.pruneSteps.list(runId)).toEqual([again, s2]);
    store.pruneSteps.truncate(runId, 1);
    expect(store.pruneSteps.list(runId)).toEqual([again]);
  });

  it('prune steps: a failing layer leaves no half step behind', () => {
    const broken = samplePruneStep(1, 0.5);
    const second = broken.layers[1];
    if (!second) throw new Error('fixture has two layers');
    second.weights = 1.5; // not an INTEGER: STRICT refuses it
    expect(() => store.pruneSteps.record(runId, broken)).toThrow(/INTEGER/);
    expect(store.pruneSteps.list(runId)).toEqual([]);
    expect(store.runs.get(runId)?.sparsity).toBeNull();
  });

  it('evaluations: dense and final, NaN survives as NaN', () => {
    const dense = sampleEvaluation(0.9);
    const final = { ...sampleEvaluation(0.8), loss: Number.NaN };
    store.evaluations.save(runId, 'dense', dense);
    store.evaluations.save(runId, 'final', final);
    expect(store.evaluations.get(runId, 'dense')).toEqual(dense);
    expect(store.evaluations.get(runId, 'final')).toEqual(final);
    store.evaluations.save(runId, 'final', sampleEvaluation(0.82));
    expect(store.evaluations.get(runId, 'final')?.accuracy).toBe(0.82);
    expect(store.runs.get(runId)?.testAccuracy).toBe(0.82);
  });

  it('sensitivity curves: one per layer in reported order, replaced in place', () => {
    store.sensitivity.save(runId, sampleCurve('conv2d_1'));
    store.sensitivity.save(runId, sampleCurve('dense_1'));
    const redone = { ...sampleCurve('conv2d_1'), accuracies: [0.91, 0.8, 0.3] };
    store.sensitivity.save(runId, redone);
    expect(store.sensitivity.list(runId)).toEqual([redone, sampleCurve('dense_1')]);
  });

  it('artifacts: every field, with and without size table and parity', () => {
    const full: Omit<ArtifactSummary, 'id' | 'createdAt'> = {
      runId,
      format: 'onnx',
      encoding: 'float16',
      path: '/exports/r/onnx-float16',
      zipPath: '/exports/r/onnx-float16.zip',
      bytes: 1000,
      gzipBytes: 600,
      sha256: 'f'.repeat(64),
      sizes,
      parity: { ok: true, runtime: 'onnxruntime', images: 64, top1Agreement: 1, maxAbsLogitDelta: 0.0003 },
    };
    const a = store.artifacts.create(full);
    expect(a).toEqual({ ...full, id: 't-3', createdAt: expect.any(String) });
    const b = store.artifacts.create({
      ...full,
      format: 'tfjs',
      encoding: null,
      zipPath: null,
      sizes: null,
      parity: null,
    });
    expect(store.artifacts.get(a.id)).toEqual(a);
    expect(store.artifacts.listByRun(runId)).toEqual([a, b]);
    expect(store.artifacts.remove(a.id)).toBe(true);
    expect(store.artifacts.listByRun(runId)).toEqual([b]);
  });

  it('a run names its smallest model export, which exportGzipBytes measures', () => {
    const artifact = (
      format: ArtifactSummary['format'],
      encoding: ArtifactSummary['encoding'],
      gzip: number,
    ) =>
      store.artifacts.create({
        runId,
        format,
        encoding,
        path: `/e/${format}`,
        zipPath: null,
        bytes: gzip * 2,
        gzipBytes: gzip,
        sha256: '0'.repeat(64),
        sizes: null,
        parity: null,
      });
    expect(store.runs.get(runId)).toMatchObject({ exportGzipBytes: null, smallestExport: null });
    artifact('tfjs', 'float32', 100);
    const onnx = artifact('onnx', 'uint8', 50);
    artifact('dataset-png', null, 1); // images of the dataset, not a model
    expect(store.runs.get(runId)).toMatchObject({
      exportGzipBytes: 50,
      smallestExport: { artifactId: onnx.id, format: 'onnx', encoding: 'uint8' },
    });
    expect(store.runs.list()[0]?.smallestExport?.artifactId).toBe(onnx.id);
  });

  it('run detail gathers everything recorded under the run', () => {
    store.metrics.append(runId, {
      epoch: 1,
      phase: 'finetune',
      values: [{ split: 'validation', name: 'accuracy', value: 0.7 }],
    });
    store.pruneSteps.record(runId, samplePruneStep(1, 0.6));
    store.evaluations.save(runId, 'dense', sampleEvaluation(0.9));
    store.evaluations.save(runId, 'final', sampleEvaluation(0.85));
    store.sensitivity.save(runId, sampleCurve('conv2d_1'));
    const artifact = store.artifacts.create({
      runId,
      format: 'tfjs',
      encoding: 'uint8',
      path: '/e',
      zipPath: null,
      bytes: 10,
      gzipBytes: 8,
      sha256: '0'.repeat(64),
      sizes: null,
      parity: null,
    });
    const detail = store.runDetail(runId);
    expect(detail).toMatchObject({
      id: runId,
      kind: 'prune',
      sparsity: 0.6,
      testAccuracy: 0.85,
      exportGzipBytes: 8,
      best: { 'validation.accuracy': { value: 0.7, epoch: 1 } },
      metrics: [{ name: 'accuracy', split: 'validation', phase: 'finetune', epochs: [1], values: [0.7] }],
      pruneSteps: [samplePruneStep(1, 0.6)],
      denseEvaluation: sampleEvaluation(0.9),
      evaluation: sampleEvaluation(0.85),
      sensitivity: [sampleCurve('conv2d_1')],
      artifacts: [artifact],
      classes: ['circle', 'square'],
    });
    expect(store.runDetail('ghost')).toBeNull();
  });
});

describe('settings', () => {
  it('answers defaults on a fresh database and merges partial updates', () => {
    expect(store.settings.get()).toEqual(defaultSettings);
    expect(store.settings.update({ theme: 'dark' })).toEqual({ ...defaultSettings, theme: 'dark' });
    expect(store.settings.update({ jobConcurrency: 3, recentDatasets: ['/a', '/b'] })).toEqual({
      theme: 'dark',
      jobConcurrency: 3,
      recentDatasets: ['/a', '/b'],
      queueUrl: null,
    });
    expect(store.settings.get().recentDatasets).toEqual(['/a', '/b']);
    expect(store.settings.update({ queueUrl: 'redis://:pw@lab:6379/0' }).queueUrl).toBe(
      'redis://:pw@lab:6379/0',
    );
    expect(store.settings.update({ queueUrl: null }).queueUrl).toBeNull();
  });
});

describe('sweeps', () => {
  it('round-trips the request and lists newest first; deleting keeps its runs', () => {
    store.datasets.save(sampleDataset());
    const request = { criteria: ['taylor', 'random'], sparsities: [0.5, 0.9], seeds: [1, 2] };
    const a = store.sweeps.create({ name: 'grid A', datasetId: 'ds-1', request });
    const b = store.sweeps.create({ name: 'grid B', datasetId: 'ds-1', request: {} });
    expect(store.sweeps.get(a.id)).toEqual({
      id: a.id,
      name: 'grid A',
      datasetId: 'ds-1',
      request,
      createdAt: a.createdAt,
    });
    expect(store.sweeps.list().map((s) => s.id)).toEqual([b.id, a.id]);
    const run = store.runs.create({ name: 'r', kind: 'train', config: trainConfig(), sweepId: a.id });
    expect(store.sweeps.remove(a.id)).toBe(true);
    expect(store.runs.get(run.id)?.sweepId).toBeNull();
  });
});

describe('jobs', () => {
  it('tracks a job from queued to done with progress, and fails what a dead process left open', () => {
    store.datasets.save(sampleDataset());
    const run = store.runs.create({ name: 'r', kind: 'train', config: trainConfig() });
    const job = store.jobs.create({ kind: 'train', runId: run.id, input: { runId: run.id, resume: false } });
    expect(job).toMatchObject({
      status: 'queued',
      runId: run.id,
      datasetId: null,
      phase: '',
      done: 0,
      total: 0,
    });
    store.jobs.setStatus(job.id, 'running');
    store.jobs.setProgress(job.id, { phase: 'epoch 1/3', done: 12.5, total: 40 });
    expect(store.jobs.get(job.id)).toMatchObject({
      status: 'running',
      phase: 'epoch 1/3',
      done: 12.5,
      total: 40,
    });
    expect(store.jobs.get(job.id)?.startedAt).not.toBeNull();
    store.jobs.setStatus(job.id, 'failed', { code: 'ENGINE', message: 'NaN loss' });
    expect(store.jobs.get(job.id)).toMatchObject({
      status: 'failed',
      error: { code: 'ENGINE', message: 'NaN loss' },
    });

    const open1 = store.jobs.create({ kind: 'import', datasetId: 'ds-9', input: { path: '/x' } });
    const open2 = store.jobs.create({ kind: 'export', runId: run.id, input: {} });
    store.jobs.setStatus(open2.id, 'running');
    expect(store.jobs.list().map((j) => j.id)).toEqual([open1.id, open2.id, job.id]);
    expect(store.jobs.failUnfinished('PruneLab stopped')).toEqual([open1.id, open2.id]);
    expect(store.jobs.get(open1.id)).toMatchObject({
      status: 'failed',
      error: { code: 'INTERNAL', message: 'PruneLab stopped' },
    });
  });
});
