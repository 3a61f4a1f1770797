// Run detail: live progress with ETA and backend, curves that grow with events, pruning maps, the
// confusion matrix's images, cancel / resume / export, and a missing run.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import RunDetailView from '../../../src/renderer/views/RunDetailView.vue';
import { useJobsStore } from '../../../src/renderer/stores/jobs';
import { useRunsStore } from '../../../src/renderer/stores/runs';
import { mountWithApi, ChartStub } from '../mountWithApi';
import { makeArtifact, makePruneSteps, makeRun, seeded } from '../fixtures';

afterEach(() => {
  document.body.innerHTML = '';
  location.hash = '';
});

type Option = {
  series: { name: string; data: [number, number][]; markPoint?: { data: { coord: [number, number] }[] } }[];
};

describe('RunDetailView', () => {
  it('while running: progress with phase and ETA, the backend and why, curves that grow with each epoch', async () => {
    const run = {
      ...makeRun({ id: 'r1', status: 'running', epochs: 2 }),
      finishedAt: null,
      pruneSteps: [],
      evaluation: null,
      testAccuracy: null,
    };
    const { wrapper } = await mountWithApi(RunDetailView, { props: { runId: 'r1' }, state: { runs: [run] } });
    useJobsStore().applyProgress({
      jobId: 'j',
      kind: 'train',
      runId: 'r1',
      datasetId: null,
      phase: 'epoch 3/5',
      done: 2,
      total: 5,
      etaSeconds: 95,
    });
    await flushPromises();
    expect(wrapper.get('[data-test="run-progress"]').text()).toMatch(/epoch 3\/5.*2 \/ 5.*ETA 1m 35s/s);
    expect(wrapper.get('[data-test="backend"]').text()).toContain(
      'WebAssembly · 2 threads — tfjs-node not installed: using wasm, 2 threads',
    );
    expect(wrapper.find('[data-test="cancel"]').exists()).toBe(true);

    const accuracy = () =>
      wrapper.findAllComponents(ChartStub).find((c) => c.props('label').startsWith('accuracy'))!;
    const valPoints = () =>
      (accuracy().props('option') as Option).series.find((s) => s.name === 'validation')!.data.length;
    expect(valPoints()).toBe(2);
    useRunsStore().applyEpoch({
      runId: 'r1',
      epoch: 3,
      phase: 'train',
      values: [
        { split: 'validation', name: 'accuracy', value: 0.97 },
        { split: 'train', name: 'accuracy', value: 0.98 },
      ],
    });
    await flushPromises();
    expect(valPoints()).toBe(3);
    // the best epoch is pinned where the best validation value is
    expect(
      (accuracy().props('option') as Option).series.find((s) => s.name === 'validation')!.markPoint!.data[0]!
        .coord,
    ).toEqual([3, 0.97]);
    expect(wrapper.get('[data-metric="accuracy"] [data-test="best-epoch"]').text()).toBe(
      'best 97.00% at epoch 3',
    );
  });

  it('says it is waiting before the first epoch', async () => {
    const run = { ...makeRun({ id: 'r1', status: 'queued' }), metrics: [], pruneSteps: [], evaluation: null };
    const { wrapper } = await mountWithApi(RunDetailView, { props: { runId: 'r1' }, state: { runs: [run] } });
    expect(wrapper.get('[data-test="no-epochs"]').text()).toBe('Waiting for the first epoch…');
  });

  it('a live prune step brings in per-layer bars and the sparsity map', async () => {
    const run = { ...makeRun({ id: 'r1', status: 'running' }), pruneSteps: [] };
    const { wrapper } = await mountWithApi(RunDetailView, { props: { runId: 'r1' }, state: { runs: [run] } });
    expect(wrapper.find('[data-test="pruning"]').exists()).toBe(false);
    const [step] = makePruneSteps(0.6, 1, seeded(5));
    useRunsStore().applyPruneStep({ runId: 'r1', report: step! });
    await flushPromises();
    expect(wrapper.findAll('[data-test="layer-bars"] tbody tr')).toHaveLength(4);
    expect(wrapper.get('[data-test="sparsity-canvas"]').attributes('aria-label')).toMatch(
      /^Sparsity map of dense_1: \d+\.\d% pruned$/,
    );
  });

  it('moves through prune steps with the slider', async () => {
    const run = makeRun({ id: 'r1', pruned: { criterion: 'taylor', sparsity: 0.9, steps: 3 } });
    const { wrapper } = await mountWithApi(RunDetailView, { props: { runId: 'r1' }, state: { runs: [run] } });
    const label = () => wrapper.get('[data-test="sparsity-panel"]').text();
    expect(label()).toContain('target 90%');
    await wrapper.get('[data-test="step-slider"]').setValue('0');
    expect(label()).toContain('target 30%');
  });

  it('a confusion cell asks for exactly its test images by index: off the diagonal and on it', async () => {
    const run = makeRun({ id: 'r1', pruned: { criterion: 'taylor', sparsity: 0.5 } });
    const { wrapper, fake } = await mountWithApi(RunDetailView, {
      props: { runId: 'r1' },
      state: { runs: [run] },
    });
    const cells = wrapper.findAll('[data-test="confusion-cell"]');
    expect(cells).toHaveLength(100);
    const { labels, predictions, confusion } = run.evaluation!;
    // the fixture's test split, written out independently of the component
    const expected = (t: number, p: number) =>
      labels!.flatMap((label, i) => (label === t && predictions![i] === p ? [i] : []));
    const samplesRequests = () => fake.calls.filter((c) => c.name === 'datasets.samples');

    // an off-diagonal cell with images (T-shirt predicted as something else)
    const p = confusion[0]!.findIndex((count, j) => j > 0 && count > 0);
    expect(p).toBeGreaterThan(0);
    await cells[p]!.trigger('click');
    await flushPromises();
    const off = expected(0, p);
    expect(off).toHaveLength(confusion[0]![p]!);
    expect(samplesRequests().map((c) => c.payload)).toEqual([
      { id: run.datasetId, split: 'test', indices: off, limit: off.length },
    ]);
    expect(wrapper.get('[data-test="cell-images"] h3').text()).toBe(`T-shirt predicted as ${run.classes[p]}`);
    expect(wrapper.get('[data-test="cell-count"]').text()).toBe(
      `${off.length} test image${off.length === 1 ? '' : 's'}`,
    );
    expect(wrapper.findAll('[data-test="cell-images"] img').map((i) => i.attributes('alt'))).toEqual(
      off.map((i) => `test image ${i}`),
    );

    // a diagonal cell: the correctly classified images, which the most-confidently-wrong list never has
    await cells[11]!.trigger('click');
    await flushPromises();
    const diagonal = expected(1, 1);
    expect(diagonal.length).toBe(confusion[1]![1]!);
    expect(diagonal.length).toBeGreaterThan(1);
    expect(samplesRequests()).toHaveLength(2);
    expect(samplesRequests()[1]!.payload).toEqual({
      id: run.datasetId,
      split: 'test',
      indices: diagonal,
      limit: diagonal.length,
    });
    expect(wrapper.get('[data-test="cell-images"] h3').text()).toBe(
      `${run.classes[1]} predicted as ${run.classes[1]}`,
    );
    expect(wrapper.get('[data-test="cell-count"]').text()).toBe(`${diagonal.length} test images`);
    expect(wrapper.findAll('[data-test="cell-images"] img')).toHaveLength(diagonal.length);
    expect(wrapper.find('[data-test="cell-more"]').exists()).toBe(false);
  });

  it('cancel and resume call the services; failures are shown', async () => {
    const running = makeRun({ id: 'r1', status: 'running' });
    const { wrapper, fake } = await mountWithApi(RunDetailView, {
      props: { runId: 'r1' },
      state: {
        runs: [running],
        failures: { 'runs.cancel': { code: 'CONFLICT', message: 'the run already finished' } },
      },
    });
    await wrapper.get('[data-test="cancel"]').trigger('click');
    await flushPromises();
    expect(fake.calls.some((c) => c.name === 'runs.cancel')).toBe(true);
    expect(wrapper.get('[role="alert"]').text()).toContain('the run already finished');
    useRunsStore().applyStatus({ runId: 'r1', status: 'interrupted', error: null });
    await flushPromises();
    await wrapper.get('[data-test="resume"]').trigger('click');
    await flushPromises();
    expect(fake.calls.find((c) => c.name === 'runs.resume')!.payload).toEqual({ id: 'r1' });
  });

  it('opens the export dialog for a finished run', async () => {
    const { wrapper } = await mountWithApi(RunDetailView, {
      props: { runId: 'r1' },
      state: { runs: [makeRun({ id: 'r1' })], artifacts: [makeArtifact('r1')] },
    });
    await wrapper.get('[data-test="export"]').trigger('click');
    expect(wrapper.find('[data-test="export-dialog"]').exists()).toBe(true);
  });

  it('lists every export with its format, encoding, sizes and parity rule; the size tile says which one it is', async () => {
    const tfjs = makeArtifact('r1', { id: 'a1', format: 'tfjs', encoding: 'float32', gzipBytes: 70_000 });
    const onnx = makeArtifact('r1', {
      id: 'a2',
      format: 'onnx',
      encoding: 'uint8',
      gzipBytes: 21_000,
      bytes: 64_000,
      zipPath: null,
      path: '/exports/r1/onnx-uint8',
      parity: { ok: true, runtime: 'onnxruntime', images: 1000, top1Agreement: 0.984, maxAbsLogitDelta: 0.3 },
    });
    const run = {
      ...makeRun({ id: 'r1', gzip: 21_000 }),
      smallestExport: { artifactId: 'a2', format: 'onnx' as const, encoding: 'uint8' as const },
      artifacts: [tfjs, onnx],
    };
    const { wrapper } = await mountWithApi(RunDetailView, { props: { runId: 'r1' }, state: { runs: [run] } });
    const tile = wrapper.get('[data-test="export-tile"]');
    expect(tile.text()).toContain('20.5 KiB');
    expect(tile.text()).toContain('ONNX uint8, smallest of 2');
    const rows = wrapper.findAll('[data-test="export-row"]');
    expect(rows.map((r) => r.find('strong').text())).toEqual(['TF.js float32', 'ONNX uint8']);
    expect(rows[1]!.text()).toContain('smallest');
    expect(rows[1]!.text()).toContain('62.5 KiB');
    expect(rows[0]!.text()).toContain('×3.26 smaller');
    const quantized = rows[1]!.get('[data-test="export-parity"]');
    expect(quantized.text()).toMatch(/^✓ ok\s*top-1 98.4% \(≥ 90% needed\) · 1,000 images$/);
    expect(quantized.attributes('title')).toBe(
      'ok — top-1 agreement 98.4% on 1,000 images in onnxruntime (needs ≥ 90%)',
    );
    expect(rows[0]!.get('[data-test="export-parity"]').text()).toContain('(≤ 0.0001 needed)');
    expect(rows[1]!.text()).toContain('/exports/r1/onnx-uint8');
  });

  it('shows no export panel before the first export', async () => {
    const { wrapper } = await mountWithApi(RunDetailView, {
      props: { runId: 'r1' },
      state: { runs: [{ ...makeRun({ id: 'r1', gzip: null }), artifacts: [] }] },
    });
    expect(wrapper.find('[data-test="exports-panel"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="export-tile"]').text()).toContain('—');
  });

  it('a queued prune run points to its dense parent while that one trains', async () => {
    const parent = { ...makeRun({ id: 'p1', status: 'running' }), name: 'taylor · dense' };
    const child = {
      ...makeRun({ id: 'c1', status: 'queued', pruned: { criterion: 'taylor', sparsity: 0.8 } }),
      parentRunId: 'p1',
      pruneSteps: [],
    };
    const { wrapper } = await mountWithApi(RunDetailView, {
      props: { runId: 'c1' },
      state: { runs: [parent, child] },
    });
    await useRunsStore().load();
    await flushPromises();
    expect(wrapper.get('[data-test="parent"]').text()).toBe(
      'Pruned from taylor · dense — waiting while it trains (watch it live there).',
    );
    expect(wrapper.get('[data-test="parent-link"]').attributes('href')).toBe('#/runs/p1');
  });

  it('a prune run draws its dense parent’s training epochs before its own fine-tuning, live', async () => {
    const parent = { ...makeRun({ id: 'p1', status: 'running', epochs: 3 }), name: 'taylor · dense' };
    const child = makeRun({
      id: 'c1',
      status: 'running',
      pruned: { criterion: 'taylor', sparsity: 0.8, finetune: 1 },
    });
    const tuneOnly = {
      ...child,
      parentRunId: 'p1',
      metrics: child.metrics.filter((m) => m.phase === 'finetune'),
    };
    const { wrapper } = await mountWithApi(RunDetailView, {
      props: { runId: 'c1' },
      state: { runs: [parent, tuneOnly] },
    });
    await flushPromises();
    const epochs = () => wrapper.get('[data-metric="accuracy"]').attributes('data-epochs');
    expect(epochs()).toBe('4');
    useRunsStore().applyEpoch({
      runId: 'p1',
      epoch: 4,
      phase: 'train',
      values: [{ split: 'validation', name: 'accuracy', value: 0.9 }],
    });
    await flushPromises();
    expect(epochs()).toBe('5');
  });

  it('a sensitivity run shows one accuracy-vs-sparsity line per layer', async () => {
    const run = {
      ...makeRun({ id: 's1' }),
      kind: 'sensitivity' as const,
      sensitivity: ['conv1', 'dense1'].map((layer, k) => ({
        layer,
        sparsities: [0, 0.5, 0.9],
        accuracies: [0.9, 0.88 - k * 0.1, 0.5],
        losses: [0.3, 0.4, 1.2],
      })),
    };
    const { wrapper } = await mountWithApi(RunDetailView, { props: { runId: 's1' }, state: { runs: [run] } });
    const chart = wrapper.get('[data-test="sensitivity"]').findComponent(ChartStub);
    const series = (chart.props('option') as Option).series;
    expect(series.map((s) => s.name)).toEqual(['conv1', 'dense1']);
    expect(series[1]!.data).toEqual([
      [0, 0.9],
      [0.5, 0.78],
      [0.9, 0.5],
    ]);
  });

  it('a run that does not exist says so and offers the runs list', async () => {
    const { wrapper } = await mountWithApi(RunDetailView, { props: { runId: 'gone' } });
    expect(wrapper.text()).toContain('Run not available');
    expect(wrapper.get('[role="alert"]').text()).toContain('run not found');
  });

  it("the desktop menu's Export model… says so when the run on screen has not finished", async () => {
    const run = { ...makeRun({ id: 'r1', status: 'running' }), finishedAt: null };
    const { wrapper, fake } = await mountWithApi(RunDetailView, {
      props: { runId: 'r1' },
      state: { runs: [run] },
    });
    fake.emit('app.command', { command: 'export-model' });
    await flushPromises();
    expect(wrapper.find('[data-test="export-dialog"]').exists()).toBe(false);
    expect(wrapper.get('[role="alert"]').text()).toContain('pick a finished run to export');
  });
});
