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
});
