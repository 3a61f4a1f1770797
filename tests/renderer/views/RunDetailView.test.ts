// Run detail: live progress with ETA and backend, curves that grow with events, pruning maps, the
// confusion matrix's images, cancel / resume / export, and a missing run.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import RunDetailView from '../../../src/renderer/views/RunDetailView.vue';
import App from '../../../src/renderer/App.vue';
import { navigate } from '../../../src/renderer/router';
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
    // said once; why, on hover
    expect(wrapper.get('[data-test="backend"]').text()).toBe('WebAssembly · 2 threads');
    expect(wrapper.get('[data-test="backend"]').attributes('title')).toBe(
      'tfjs-node not installed: using wasm, 2 threads',
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

  it('says it is waiting before the first epoch, and that a queued run waits for a worker', async () => {
    const run = {
      ...makeRun({ id: 'r1', status: 'queued' }),
      metrics: [],
      pruneSteps: [],
      evaluation: null,
      backend: null,
    };
    const { wrapper } = await mountWithApi(RunDetailView, { props: { runId: 'r1' }, state: { runs: [run] } });
    expect(wrapper.get('[data-test="no-epochs"]').text()).toBe('Waiting for the first epoch…');
    const badge = wrapper.get('[data-test="backend"]');
    expect(badge.text()).toBe('waiting for a worker');
    expect(badge.classes()).not.toContain('warn');
    expect(wrapper.text()).not.toContain('backend unknown');
    expect(wrapper.text()).not.toContain('trained on');
  });

  it('names the backend as soon as a worker picks the run up', async () => {
    const run = { ...makeRun({ id: 'r1', status: 'queued' }), metrics: [], pruneSteps: [], backend: null };
    navigate({ name: 'run', id: 'r1' });
    const { wrapper, fake } = await mountWithApi(App, { state: { runs: [run] } });
    const badge = () => wrapper.get('[data-test="run-meta"] [data-test="backend"]');
    expect(badge().text()).toBe('waiting for a worker');
    fake.emit('run.status', { runId: 'r1', status: 'running', error: null });
    await flushPromises();
    expect(badge().text()).toBe('starting the engine…');
    fake.emit('run.backend', {
      runId: 'r1',
      backend: { name: 'wasm', threads: 2, reason: 'tfjs-node not installed: using wasm, 2 threads' },
    });
    await flushPromises();
    expect(badge().text()).toBe('WebAssembly · 2 threads');
    // the shell listens to the window; later tests mount their own
    wrapper.unmount();
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

  it('a prune run draws its dense parent’s epochs faded before its own, live, and never counts them', async () => {
    const dense = { ...makeRun({ id: 'p1', status: 'running', epochs: 3 }), name: 'taylor · dense' };
    // the parent reached 99% — better than anything the prune run does itself
    const parent = {
      ...dense,
      metrics: dense.metrics.map((m) =>
        m.split === 'validation' && m.name === 'accuracy' ? { ...m, values: [0.8, 0.99, 0.95] } : m,
      ),
    };
    const child = makeRun({
      id: 'c1',
      status: 'running',
      parentRunId: 'p1',
      pruned: { criterion: 'taylor', sparsity: 0.8, finetune: 2 },
    });
    const { wrapper } = await mountWithApi(RunDetailView, {
      props: { runId: 'c1' },
      state: { runs: [parent, child] },
    });
    await flushPromises();
    const curve = () => wrapper.get('[data-metric="accuracy"]');
    expect(curve().attributes('data-epochs')).toBe('2');
    expect(curve().attributes('data-inherited')).toBe('3');
    useRunsStore().applyEpoch({
      runId: 'p1',
      epoch: 4,
      phase: 'train',
      values: [{ split: 'validation', name: 'accuracy', value: 0.9 }],
    });
    await flushPromises();
    expect(curve().attributes('data-inherited')).toBe('4');
    const own = child.metrics.find((m) => m.split === 'validation' && m.name === 'accuracy')!;
    const best = Math.max(...own.values);
    const bestEpoch = own.epochs[own.values.indexOf(best)]!;
    // the tile, the chart's note and its marker all name the run's own best, not the parent's 99%
    expect(wrapper.text()).toContain(`${(best * 100).toFixed(2)}%fine-tune epoch ${bestEpoch}`);
    expect(curve().get('[data-test="best-epoch"]').text()).toBe(
      `best ${(best * 100).toFixed(2)}% at fine-tune epoch ${bestEpoch}`,
    );
    const option = curve().findComponent(ChartStub).props('option') as Option;
    expect(option.series.find((s) => s.name === 'validation')!.markPoint!.data[0]!.coord).toEqual([
      bestEpoch,
      best,
    ]);
    // the parent's curve ends at x = 0, where the divider says pruning started
    const faded = option.series.filter((s) => s.name === 'dense parent');
    expect(faded.map((s) => s.data.at(-1)![0])).toEqual([0, 0]);
    expect(faded[1]!.data.map((p) => p[1])).toEqual([0.8, 0.99, 0.95, 0.9]);
  });

  it('iterative ×3 shows the accuracy right after each of its three prunes as its own point', async () => {
    const parent = makeRun({ id: 'p1', epochs: 4 });
    const child = makeRun({
      id: 'c1',
      parentRunId: 'p1',
      pruned: { criterion: 'taylor', sparsity: 0.9, steps: 3, finetune: 2 },
    });
    const { wrapper } = await mountWithApi(RunDetailView, {
      props: { runId: 'c1' },
      state: { runs: [parent, child] },
    });
    await flushPromises();
    for (const metric of ['accuracy', 'loss'] as const) {
      const curve = wrapper.get(`[data-metric="${metric}"]`);
      expect(curve.attributes('data-drops')).toBe('3');
      const option = curve.findComponent(ChartStub).props('option') as Option;
      const drops = option.series.find((s) => s.name === 'after pruning (test)')!;
      expect(drops.data).toEqual(child.pruneSteps.map((s) => [s.atEpoch, s.afterPrune![metric]]));
    }
  });

  it("a dense run's page lists the prune runs made from it", async () => {
    const dense = makeRun({ id: 'd1' });
    const made = ['taylor', 'random'].map((criterion, i) =>
      makeRun({
        id: `c${i}`,
        seed: i + 2,
        parentRunId: 'd1',
        pruned: { criterion: criterion as 'taylor' | 'random', sparsity: 0.8, finetune: 1 },
      }),
    );
    const unrelated = makeRun({ id: 'x', seed: 9, pruned: { criterion: 'magnitude', sparsity: 0.5 } });
    const { wrapper } = await mountWithApi(RunDetailView, {
      props: { runId: 'd1' },
      state: { runs: [dense, ...made, unrelated] },
    });
    await flushPromises();
    const rows = wrapper.findAll('[data-test="child-run"]');
    expect(rows.map((r) => r.get('a').attributes('href'))).toEqual(['#/runs/c0', '#/runs/c1']);
    expect(rows[1]!.text()).toContain('random · 80%');
  });

  it('a dense run without prune runs says so', async () => {
    const { wrapper } = await mountWithApi(RunDetailView, {
      props: { runId: 'd1' },
      state: { runs: [makeRun({ id: 'd1' })] },
    });
    await flushPromises();
    expect(wrapper.get('[data-test="no-child-runs"]').text()).toContain('No prune runs');
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
