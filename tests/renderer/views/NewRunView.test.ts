// New run: the empty state, presets with parameter counts, the config it sends, and the sweep builder.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import NewRunView from '../../../src/renderer/views/NewRunView.vue';
import { mountWithApi } from '../mountWithApi';
import { makeDataset, makeRun } from '../fixtures';

afterEach(() => {
  document.body.innerHTML = '';
  location.hash = '';
});

const props = { datasetId: null, parentRunId: null };

describe('NewRunView', () => {
  it('asks for a dataset first when there is none', async () => {
    const { wrapper } = await mountWithApi(NewRunView, { props });
    expect(wrapper.get('[data-test="new-run-empty"]').text()).toContain('Import a dataset first');
    expect(wrapper.find('[data-test="new-run-form"]').exists()).toBe(false);
  });

  it('lists presets with parameter counts for the chosen dataset’s shape', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    const call = fake.calls.filter((c) => c.name === 'presets.list').at(-1)!;
    expect(call.payload).toEqual({ inputShape: [28, 28, 1], classes: 10 });
    const options = wrapper.findAll('[data-test="preset-select"] option').map((o) => o.text());
    expect(options[1]).toBe('lenet5 — 62k parameters, 429k FLOPs/image');
    expect(wrapper.get('[data-test="preset-info"]').text()).toContain('1,250,858 parameters');
  });

  it('explains every criterion in one line', async () => {
    const { wrapper } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    const text = wrapper.get('[role="radiogroup"][aria-label="Criterion"]').text();
    for (const c of ['|w·∂L/∂w|', '|∂L/∂w|', 'smallest weights', 'at random']) expect(text).toContain(c);
  });

  it('starts a train-and-prune run with the chosen settings and opens it', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    await wrapper.get('input[type="radio"][value="balanced"]').setValue(true);
    await wrapper.get('input[type="radio"][value="magnitude"]').setValue(true);
    await wrapper.get('[data-test="sparsity"]').setValue('0.9');
    await wrapper.get('[data-test="start"]').trigger('submit');
    await flushPromises();
    const start = fake.calls.find((c) => c.name === 'runs.start')!;
    expect(start.payload).toMatchObject({
      config: {
        datasetId: 'ds-fashion',
        train: { epochs: 8, batchSize: 64, learningRate: 0.001, preset: 'keras-cifar-cnn' },
        prune: {
          criterion: 'magnitude',
          target: { kind: 'sparsity', value: 0.9 },
          schedule: { kind: 'oneshot' },
          granularity: 'unstructured',
        },
      },
    });
    expect((start.payload as { config: Record<string, unknown> }).config.parentRunId).toBeUndefined();
    expect(location.hash).toMatch(/^#\/runs\/run-new-/);
  });

  it('from a trained parent: no training options (they do not apply), a Prune button, the parent’s settings', async () => {
    const parent = makeRun({ id: 'dense-1' });
    parent.config.train = {
      ...parent.config.train,
      optimizer: 'sgd',
      learningRate: 0.02,
      batchSize: 32,
      seed: 7,
    };
    const { wrapper, fake } = await mountWithApi(NewRunView, {
      props: { datasetId: 'ds-fashion', parentRunId: 'dense-1' },
      state: { datasets: [makeDataset()], runs: [parent] },
    });
    expect((wrapper.get('[data-test="parent-select"]').element as HTMLSelectElement).value).toBe('dense-1');
    expect(wrapper.find('[data-test="training-options"]').exists()).toBe(false);
    expect(wrapper.find('[data-test="preset-select"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="parent-preset"]').text()).toBe(`lenet5 — as trained in ${parent.name}`);
    expect(wrapper.get('[data-test="from-parent-note"]').text()).toMatch(
      /Nothing is trained.*\(sgd\).*\(0\.02\).*\(32\).*\(7\)/s,
    );
    expect(wrapper.get('[data-test="start"]').text()).toBe('Prune');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(fake.calls.find((c) => c.name === 'runs.start')!.payload).toMatchObject({
      config: { parentRunId: 'dense-1', train: parent.config.train },
    });
  });

  it('brings the training options back when the parent is set to "train a new dense model first"', async () => {
    const { wrapper } = await mountWithApi(NewRunView, {
      props: { datasetId: 'ds-fashion', parentRunId: 'dense-1' },
      state: { datasets: [makeDataset()], runs: [makeRun({ id: 'dense-1' })] },
    });
    await wrapper.get('[data-test="parent-select"]').setValue('');
    expect(wrapper.find('[data-test="training-options"]').exists()).toBe(true);
    expect(wrapper.find('[data-test="from-parent-note"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="start"]').text()).toBe('Train and prune');
    // a sweep trains its own dense parents
    await wrapper.get('[data-test="sweep-on"]').setValue(true);
    expect(wrapper.get('[data-test="start"]').text()).toBe('Queue sweep');
  });

  it('sends a dense-only run when pruning is off', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    await wrapper.get('[data-test="prune-on"]').setValue(false);
    expect(wrapper.get('[data-test="start"]').text()).toBe('Start training');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(
      (fake.calls.find((c) => c.name === 'runs.start')!.payload as { config: object }).config,
    ).not.toHaveProperty('prune');
  });

  it('counts the runs a sweep will queue and refuses bad input', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    await wrapper.get('[data-test="sweep-on"]').setValue(true);
    expect(wrapper.get('[data-test="sweep-count"]').text()).toContain(
      '3 criteria × 3 sparsities × 3 seeds = 27 runs',
    );
    await wrapper.get('[data-test="sweep-seeds"]').setValue('1-5');
    expect(wrapper.get('[data-test="sweep-count"]').text()).toContain('= 45 runs');
    await wrapper.get('[data-test="sweep-sparsities"]').setValue('0.5, 2');
    expect(wrapper.get('[data-test="sweep-count"]').text()).toContain('"2" is not a sparsity');
    expect(wrapper.get('[data-test="start"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-test="sweep-sparsities"]').setValue('0.7');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(fake.calls.find((c) => c.name === 'runs.sweep')!.payload).toMatchObject({
      datasetId: 'ds-fashion',
      criteria: ['taylor', 'magnitude', 'random'],
      sparsities: [0.7],
      seeds: [1, 2, 3, 4, 5],
      schedules: [{ kind: 'oneshot' }],
    });
    expect(location.hash).toBe('#/runs');
  });

  it('shows a refusal from the services and stays on the form', async () => {
    const { wrapper } = await mountWithApi(NewRunView, {
      props,
      state: {
        datasets: [makeDataset()],
        failures: { 'runs.start': { code: 'VALIDATION', message: 'train.epochs: must be at most 1000' } },
      },
    });
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('train.epochs: must be at most 1000');
    expect(wrapper.find('[data-test="new-run-form"]').exists()).toBe(true);
  });
});
