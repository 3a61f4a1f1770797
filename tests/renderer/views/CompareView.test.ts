// Compare: stable colours, best/final per metric, config differences, Pareto fronts, masks side by
// side, per-class deltas and sweep groups.
import { afterEach, describe, expect, it } from 'vitest';
import CompareView from '../../../src/renderer/views/CompareView.vue';
import { mountWithApi, ChartStub } from '../mountWithApi';
import { makeRun } from '../fixtures';
import { assignRunColors } from '../../../src/renderer/lib/runColors';

afterEach(() => {
  document.body.innerHTML = '';
});

const runs = [
  makeRun({ id: 'dense', seed: 1 }),
  makeRun({ id: 'tay', seed: 1, pruned: { criterion: 'taylor', sparsity: 0.8 }, sweepId: 'sw' }),
  makeRun({ id: 'tay2', seed: 2, pruned: { criterion: 'taylor', sparsity: 0.8 }, sweepId: 'sw' }),
  makeRun({ id: 'rnd', seed: 1, pruned: { criterion: 'random', sparsity: 0.8 }, gzip: null }),
];

type Series = { name: string; type: string; data: unknown[]; itemStyle?: { color?: string } };

describe('CompareView', () => {
  it('asks for 2–10 runs when given fewer', async () => {
    const { wrapper, fake } = await mountWithApi(CompareView, { props: { ids: ['dense'] }, state: { runs } });
    expect(wrapper.get('[data-test="compare-empty"]').text()).toContain('Pick 2 to 10 runs');
    expect(fake.calls.some((c) => c.name === 'runs.compare')).toBe(false);
  });

  it('draws one curve per run in its stable colour and marks best epoch and final value', async () => {
    const ids = runs.map((r) => r.id);
    const { wrapper } = await mountWithApi(CompareView, { props: { ids }, state: { runs } });
    const colors = assignRunColors(ids);
    const curves = wrapper
      .findAllComponents(ChartStub)
      .find((c) => c.props('label').includes('of every compared run'))!;
    const series = (curves.props('option') as { series: Series[] }).series;
    expect(series.map((s) => s.name)).toEqual(runs.map((r) => r.name));
    expect(series.map((s) => s.itemStyle!.color)).toEqual(ids.map((id) => colors.get(id)));
    const rows = wrapper.findAll('[data-test="summary-row"]');
    expect(rows).toHaveLength(4);
    const best = runs[0]!.best['validation.accuracy']!;
    expect(rows[0]!.findAll('td')[1]!.text()).toContain(`${(best.value * 100).toFixed(2)}% (${best.epoch})`);
  });

  it('shows only differing settings until asked for all', async () => {
    const { wrapper } = await mountWithApi(CompareView, { props: { ids: ['tay', 'rnd'] }, state: { runs } });
    const paths = () => wrapper.findAll('[data-test="config-row"] td:first-child').map((c) => c.text());
    expect(paths()).toEqual(['prune.criterion']);
    await wrapper.get('[data-test="diff-only"]').setValue(false);
    expect(paths().length).toBeGreaterThan(10);
    expect(paths()).toContain('train.learningRate');
  });

  it('marks the Pareto front of accuracy vs sparsity and vs gzip size, naming runs not yet exported', async () => {
    const { wrapper } = await mountWithApi(CompareView, {
      props: { ids: runs.map((r) => r.id) },
      state: { runs },
    });
    const charts = wrapper.findAllComponents(ChartStub);
    const sparsity = charts.find((c) => c.props('label').startsWith('Test accuracy against sparsity'))!;
    const front = (sparsity.props('option') as { series: Series[] }).series.find(
      (s) => s.name === 'Pareto front',
    )!;
    expect((sparsity.props('option') as { xAxis: { min: number; max: number } }).xAxis).toMatchObject({
      min: 0,
      max: 1,
    });
    // dense (0 sparsity, best accuracy) must be on the front; random (same sparsity, worse accuracy) must not
    const onFront = front.data as [number, number][];
    expect(onFront).toContainEqual([0, runs[0]!.testAccuracy]);
    expect(onFront.some(([, y]) => y === runs[3]!.testAccuracy)).toBe(false);
    expect(wrapper.get('[data-test="scatter-size"]').text()).toContain('Not exported yet: random 80% s1');
  });

  it('shows the same layer’s masks side by side for the pruned runs only', async () => {
    const { wrapper } = await mountWithApi(CompareView, {
      props: { ids: runs.map((r) => r.id) },
      state: { runs },
    });
    expect(wrapper.findAll('[data-test="side-by-side"] canvas')).toHaveLength(3);
  });

  it('per-class deltas against the first run, and sweep groups as mean ± spread', async () => {
    const { wrapper } = await mountWithApi(CompareView, {
      props: { ids: runs.map((r) => r.id) },
      state: { runs },
    });
    const deltas = wrapper.get('[data-test="per-class-deltas"]');
    expect(deltas.findAll('tbody tr')).toHaveLength(10);
    const r0 = runs[0]!.evaluation!.perClass[0]!.recall;
    const r1 = runs[1]!.evaluation!.perClass[0]!.recall;
    const d = (r1 - r0) * 100;
    expect(deltas.findAll('tbody tr')[0]!.findAll('td')[2]!.text()).toBe(
      `${d >= 0 ? '+' : ''}${d.toFixed(1)} pt`,
    );
    const groups = wrapper.get('[data-test="sweep-groups"]');
    expect(groups.findAll('tbody tr')).toHaveLength(1);
    expect(groups.text()).toMatch(/taylor · 80% · oneshot\s*2\s*\d+\.\d% ± \d+\.\d/);
  });

  it('puts each prune run’s dense parent training in front of its curve', async () => {
    const parent = makeRun({ id: 'par', seed: 5, epochs: 6 });
    const pruned = ['x', 'y'].map((id, i) => {
      const r = makeRun({
        id,
        seed: i + 1,
        pruned: { criterion: 'taylor', sparsity: 0.5 + i * 0.3, finetune: 2 },
      });
      return { ...r, parentRunId: 'par', metrics: r.metrics.filter((m) => m.phase === 'finetune') };
    });
    const { wrapper, fake } = await mountWithApi(CompareView, {
      props: { ids: ['x', 'y'] },
      state: { runs: [parent, ...pruned] },
    });
    expect(fake.calls.filter((c) => c.name === 'runs.get').map((c) => c.payload)).toEqual([{ id: 'par' }]);
    const curves = wrapper
      .findAllComponents(ChartStub)
      .find((c) => c.props('label').includes('of every compared run'))!;
    const series = (curves.props('option') as { series: Series[] }).series;
    expect(series.map((s) => (s.data as [number, number][]).map(([e]) => e))).toEqual([
      [1, 2, 3, 4, 5, 6, 7, 8],
      [1, 2, 3, 4, 5, 6, 7, 8],
    ]);
  });

  it('reports a failed comparison', async () => {
    const { wrapper } = await mountWithApi(CompareView, {
      props: { ids: ['dense', 'nope'] },
      state: { runs },
    });
    expect(wrapper.get('[role="alert"]').text()).toContain('run not found');
  });
});
