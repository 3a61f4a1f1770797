// Runs: the history table sorts, filters and hands a selection to Compare.
import { afterEach, describe, expect, it } from 'vitest';
import RunsView from '../../../src/renderer/views/RunsView.vue';
import { mountWithApi } from '../mountWithApi';
import { makeDataset, makeRun } from '../fixtures';

afterEach(() => {
  document.body.innerHTML = '';
  location.hash = '';
});

const runs = [
  makeRun({ id: 'a', seed: 1 }),
  makeRun({ id: 'b', seed: 2, pruned: { criterion: 'random', sparsity: 0.9 } }),
  makeRun({ id: 'c', seed: 3, pruned: { criterion: 'taylor', sparsity: 0.8 }, status: 'failed' }),
];

describe('RunsView', () => {
  it('has an empty state that leads to a new run', async () => {
    const { wrapper } = await mountWithApi(RunsView);
    expect(wrapper.get('[data-test="runs-empty"]').text()).toContain('No runs yet');
  });

  it('sorts by best validation accuracy and flips direction on a second click', async () => {
    const { wrapper } = await mountWithApi(RunsView, { state: { runs, datasets: [makeDataset()] } });
    const names = () => wrapper.findAll('[data-test="run-row"] td:nth-child(2)').map((c) => c.text());
    await wrapper.get('[data-test="sort-bestValAccuracy"]').trigger('click');
    const byBest = [...runs]
      .sort((x, y) => y.best['validation.accuracy']!.value - x.best['validation.accuracy']!.value)
      .map((r) => r.name);
    expect(names()).toEqual(byBest);
    expect(wrapper.get('th[aria-sort="descending"]').text()).toContain('Best val acc');
    await wrapper.get('[data-test="sort-bestValAccuracy"]').trigger('click');
    expect(names()).toEqual([...byBest].reverse());
  });

  it('filters by criterion and status', async () => {
    const { wrapper } = await mountWithApi(RunsView, { state: { runs } });
    await wrapper.get('[data-test="filter-criterion"]').setValue('random');
    expect(wrapper.findAll('[data-test="run-row"]')).toHaveLength(1);
    await wrapper.get('[data-test="filter-criterion"]').setValue('');
    await wrapper.get('[data-test="filter-status"]').setValue('failed');
    expect(wrapper.findAll('[data-test="run-row"] td:nth-child(2)').map((c) => c.text())).toEqual([
      'taylor 80% s3',
    ]);
  });

  it('says which export the size column measures', async () => {
    const { wrapper } = await mountWithApi(RunsView, {
      state: { runs: [makeRun({ id: 'a', gzip: 250_000 }), makeRun({ id: 'b', seed: 2, gzip: null })] },
    });
    const cells = wrapper.findAll('[data-test="run-export-size"]').map((c) => c.text());
    expect(cells).toContain('244.1 KiB TF.js uint8');
    expect(cells).toContain('—');
  });

  it('enables Compare for 2–10 selected runs and opens it with their ids', async () => {
    const { wrapper } = await mountWithApi(RunsView, { state: { runs } });
    const boxes = wrapper.findAll('[data-test="run-row"] input[type="checkbox"]');
    await boxes[0]!.setValue(true);
    expect(wrapper.get('[data-test="compare"]').attributes('disabled')).toBeDefined();
    await boxes[1]!.setValue(true);
    expect(wrapper.get('[data-test="compare"]').attributes('disabled')).toBeUndefined();
    await wrapper.get('[data-test="compare"]').trigger('click');
    expect(location.hash).toMatch(/^#\/compare\?ids=\w,\w$/);
  });

  it('groups each dense run with the prune runs made from it, on request', async () => {
    const dense = makeRun({ id: 'd', seed: 4 });
    const lineage = [
      makeRun({
        id: 'p1',
        seed: 5,
        parentRunId: 'd',
        pruned: { criterion: 'taylor', sparsity: 0.5, finetune: 1 },
      }),
      makeRun({
        id: 'p2',
        seed: 6,
        parentRunId: 'd',
        pruned: { criterion: 'random', sparsity: 0.5, finetune: 1 },
      }),
      dense,
      makeRun({ id: 'lone', seed: 7 }),
    ];
    const { wrapper } = await mountWithApi(RunsView, { state: { runs: lineage } });
    await wrapper.get('[data-test="sort-name"]').trigger('click');
    const rows = () =>
      wrapper
        .findAll('[data-test="run-row"]')
        .map((r) => `${r.attributes('data-depth')}:${r.find('a').text()}`);
    // sorted by name: the prune runs are apart from their parent…
    expect(rows()).toEqual([
      `0:${dense.name}`,
      `0:${lineage[3]!.name}`,
      `0:${lineage[1]!.name}`,
      `0:${lineage[0]!.name}`,
    ]);
    await wrapper.get('[data-test="group-by-parent"]').setValue(true);
    // …grouped: right below it, in the same order among themselves
    expect(rows()).toEqual([
      `0:${dense.name}`,
      `1:${lineage[1]!.name}`,
      `1:${lineage[0]!.name}`,
      `0:${lineage[3]!.name}`,
    ]);
    // the parent filtered out: its runs stay together under a line that names it
    await wrapper.get('[data-test="filter-criterion"]').setValue('random');
    expect(wrapper.get('[data-test="group-row"]').text()).toBe(
      `made from ${dense.name} (hidden by the filters)`,
    );
  });
});
