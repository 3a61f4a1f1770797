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

  it('draws each dense parent once, faded before the divider, and never counts its epochs', async () => {
    const dense = makeRun({ id: 'par', seed: 5, epochs: 6 });
    // the parent peaked at 99%: no prune run may show that as its own best
    const parent = {
      ...dense,
      metrics: dense.metrics.map((m) =>
        m.split === 'validation' && m.name === 'accuracy'
          ? { ...m, values: m.values.map((v, i) => (i === 2 ? 0.99 : v)) }
          : m,
      ),
    };
    const pruned = ['x', 'y'].map((id, i) =>
      makeRun({
        id,
        seed: i + 1,
        parentRunId: 'par',
        pruned: { criterion: 'taylor', sparsity: 0.5 + i * 0.3, finetune: 2 },
      }),
    );
    const { wrapper, fake } = await mountWithApi(CompareView, {
      props: { ids: ['x', 'y'] },
      state: { runs: [parent, ...pruned] },
    });
    expect(fake.calls.filter((c) => c.name === 'runs.get').map((c) => c.payload)).toEqual([{ id: 'par' }]);
    const curves = wrapper
      .findAllComponents(ChartStub)
      .find((c) => c.props('label').includes('of every compared run'))!;
    const series = (curves.props('option') as { series: Series[] }).series;
    const xs = (name: string) =>
      (series.find((s) => s.name === name)!.data as [number, number][]).map(([e]) => e);
    expect(series.filter((s) => s.name.endsWith('(dense parent)'))).toHaveLength(1);
    expect(xs(`${parent.name} (dense parent)`)).toEqual([-5, -4, -3, -2, -1, 0]);
    expect(xs(pruned[0]!.name)).toEqual([1, 2]);
    expect(xs(pruned[1]!.name)).toEqual([1, 2]);
    const cells = wrapper
      .findAll('[data-test="summary-row"]')
      .map((r) => r.findAll('[data-test="summary-cell"]')[0]!.text());
    for (const [i, run] of pruned.entries()) {
      const best = run.best['validation.accuracy']!;
      expect(best.value).toBeLessThan(0.99);
      expect(cells[i]).toContain(`${(best.value * 100).toFixed(2)}% (ft ${best.epoch})`);
    }
  });

  it('a tie is not a win: equal bests are not painted, a sole best is', async () => {
    const a = makeRun({
      id: 'a',
      seed: 1,
      parentRunId: 'p',
      pruned: { criterion: 'taylor', sparsity: 0.8, finetune: 2 },
    });
    // b records exactly a's curves (as when both showed their parent's 73.67%), c is worse everywhere
    const b = {
      ...makeRun({
        id: 'b',
        seed: 2,
        parentRunId: 'p',
        pruned: { criterion: 'random', sparsity: 0.8, finetune: 2 },
      }),
      metrics: a.metrics,
    };
    const c = {
      ...makeRun({
        id: 'c',
        seed: 3,
        parentRunId: 'p',
        pruned: { criterion: 'random', sparsity: 0.9, finetune: 2 },
      }),
      metrics: a.metrics.map((m) => ({
        ...m,
        values: m.values.map((v) => (m.name === 'loss' ? v + 1 : v - 0.2)),
      })),
    };
    const { wrapper } = await mountWithApi(CompareView, {
      props: { ids: ['a', 'b', 'c'] },
      state: { runs: [a, b, c] },
    });
    const wins = () =>
      wrapper
        .findAll('[data-test="summary-row"]')
        .map((r) => r.findAll('[data-test="summary-cell"]').map((td) => td.classes('win')));
    expect(wins()).toEqual([
      [false, false, false],
      [false, false, false],
      [false, false, false],
    ]);
    const { wrapper: two } = await mountWithApi(CompareView, {
      props: { ids: ['a', 'c'] },
      state: { runs: [a, c] },
    });
    const painted = two
      .findAll('[data-test="summary-row"]')
      .map((r) => r.findAll('[data-test="summary-cell"]').map((td) => td.classes('win')));
    expect(painted).toEqual([
      [true, true, true],
      [false, false, false],
    ]);
  });

  it('with four runs every per-class and config column is there to reach; no empty sweep panel', async () => {
    const four = runs.map((r) => ({ ...r, sweepId: null }));
    const { wrapper } = await mountWithApi(CompareView, {
      props: { ids: four.map((r) => r.id) },
      state: { runs: four },
    });
    expect(wrapper.find('[data-test="sweep-panel"]').exists()).toBe(false);
    // the per-class panel takes the whole width when it is alone
    expect(
      wrapper.get('[data-test="per-class-panel"]').element.parentElement!.classList.contains('grid-2'),
    ).toBe(false);
    const perClass = wrapper.get('[data-test="per-class-table"]');
    expect(perClass.findAll('thead th')).toHaveLength(5);
    expect(perClass.classes()).toContain('sticky-first');
    expect(wrapper.get('[data-test="config-diff"]').findAll('thead th')).toHaveLength(5);
    // long names are cut to fit, whole on hover
    expect(perClass.findAll('thead th .run-heading').map((h) => h.attributes('title'))).toEqual(
      four.map((r) => r.name),
    );
  });

  it('reports a failed comparison', async () => {
    const { wrapper } = await mountWithApi(CompareView, {
      props: { ids: ['dense', 'nope'] },
      state: { runs },
    });
    expect(wrapper.get('[role="alert"]').text()).toContain('run not found');
  });
});
