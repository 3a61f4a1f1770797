// New run: the empty state, presets with parameter counts, the config it sends, the sweep builder, and the
// prune choices (criterion evidence, schedule and scoring) that follow the API schema's defaults and rules.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import NewRunView from '../../../src/renderer/views/NewRunView.vue';
import { mountWithApi } from '../mountWithApi';
import type { FakeApi } from '../fakeApi';
import { makeDataset, makeRun } from '../fixtures';
import { criteria, criterionNames } from '../../../src/shared/criteria';
import { pruneConfig } from '../../../src/shared/schemas';
import { CUT_RATE_SCALE, GRADUAL_RATE_SCALE } from '../../../src/shared/scheduleRule';

afterEach(() => {
  document.body.innerHTML = '';
  location.hash = '';
});

const props = { datasetId: null, parentRunId: null };

/** The prune config the form sent with runs.start. */
function sentPrune(fake: FakeApi): Record<string, unknown> {
  const start = fake.calls.find((c) => c.name === 'runs.start')!;
  return (start.payload as { config: { prune: Record<string, unknown> } }).config.prune;
}

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

  it('shows each criterion’s evidence, marks taylor recommended and keeps the baselines apart', async () => {
    const { wrapper } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    for (const c of criterionNames) {
      const choice = wrapper.get(`[data-test="criterion-${c}"]`);
      expect(choice.get('[data-test="criterion-evidence"]').text()).toBe(criteria[c].evidence);
      // the radio is described by its formula line and its evidence line
      const described = choice.get('input[type="radio"]').attributes('aria-describedby')!.split(' ');
      expect(described.map((id) => document.getElementById(id)?.textContent?.trim())).toEqual([
        `${criteria[c].formula} — ${criteria[c].summary}.`,
        criteria[c].evidence,
      ]);
    }
    expect(wrapper.findAll('[data-test="recommended"]')).toHaveLength(1);
    expect(wrapper.get('[data-test="criterion-taylor"] [data-test="recommended"]').text()).toBe(
      'recommended',
    );
    // the help says where magnitude is (nearly) as good (issue 11: defaults from evidence)
    expect(wrapper.get('[data-test="criterion-taylor"]').text()).toContain(
      'For moderate sparsity, magnitude is nearly as good',
    );
    expect((wrapper.get('input[type="radio"][value="taylor"]').element as HTMLInputElement).checked).toBe(
      true,
    );
    const names = (group: string) =>
      wrapper
        .findAll(`[data-test="criteria-${group}"] input[type="radio"]`)
        .map((r) => r.attributes('value'));
    expect(names('gradient')).toEqual(['fisher', 'taylor', 'gradient', 'movement']);
    expect(names('baseline')).toEqual(['magnitude', 'lamp', 'random']);
    expect(wrapper.get('[data-test="criteria-baseline"] legend').text()).toContain('Baselines');
    expect(wrapper.findAll('[data-test="criteria-baseline"] [data-test="baseline"]')).toHaveLength(3);
    expect(wrapper.findAll('[data-test="criteria-gradient"] [data-test="baseline"]')).toHaveLength(0);
  });

  it('a default prune sends what the schema would fill in itself: schedule, steps and scoring left to it', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    const select = (test: string) => wrapper.get(`[data-test="${test}"]`).element as HTMLSelectElement;
    expect(select('schedule-select').selectedOptions[0]!.text.trim()).toBe('automatic — gradual');
    expect(select('scoring-select').selectedOptions[0]!.text.trim()).toBe(
      'automatic (accumulated while training)',
    );
    expect([...select('finetune-lr-schedule').options].map((o) => o.value)).toEqual([
      'automatic',
      'constant',
      'cosine',
      'step',
    ]);
    expect(select('finetune-lr-schedule').value).toBe('automatic');
    expect(select('finetune-lr-schedule').selectedOptions[0]!.text.trim()).toBe('automatic (cosine decay)');
    expect(wrapper.get('[data-test="gradual-steps"]').text()).toContain(
      'Empty = automatic: the engine prunes over the first half of the fine-tune budget in 20 steps.',
    );
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const prune = sentPrune(fake);
    expect(prune).toEqual({
      criterion: 'taylor',
      scope: 'global',
      minKeptFraction: 0.01,
      granularity: 'unstructured',
      finetuneEpochs: 2,
      calibrationBatches: 64,
      pruneFirstLayer: true,
      pruneLastLayer: true,
      target: { kind: 'sparsity', value: 0.8 },
    });
    // …which the server completes to what the form said "automatic" stands for
    expect(pruneConfig.parse(prune)).toMatchObject({
      schedule: { kind: 'gradual' },
      scoring: 'accumulated',
      finetuneLrSchedule: 'cosine',
      finetuneLrScale: GRADUAL_RATE_SCALE,
    });
  });

  it('says what the automatic learning rate is for the schedule, and sends only a chosen one', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    const lr = () => wrapper.get('[data-test="finetune-lr-schedule"]').element as HTMLSelectElement;
    const automaticText = () => lr().options[0]!.text.trim();
    await wrapper.get('[data-test="sparsity"]').setValue('0.98');
    expect(automaticText()).toBe('automatic (cosine decay)');
    await wrapper.get('[data-test="schedule-select"]').setValue('oneshot');
    expect(automaticText()).toBe('automatic (constant)');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(sentPrune(fake).finetuneLrSchedule).toBeUndefined();
    const chosen = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    await chosen.wrapper.get('[data-test="finetune-lr-schedule"]').setValue('step');
    await chosen.wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(sentPrune(chosen.fake).finetuneLrSchedule).toBe('step');
  });

  it('shows the rate the fine-tune starts at, automatic or typed, and sends only a typed scale', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    const shown = () => wrapper.get('[data-test="finetune-rate"]').text();
    const scale = wrapper.get('[data-test="finetune-lr-scale"]');
    const trainingRate = Number(
      (wrapper.get('input[type="number"][step="any"][min="0.00001"]').element as HTMLInputElement).value,
    );
    const rate = (s: number) => `starts at ${Number((trainingRate * s).toPrecision(3))}`;
    expect((scale.element as HTMLInputElement).value).toBe('');
    expect(scale.attributes('placeholder')).toBe(`automatic (${GRADUAL_RATE_SCALE}×)`);
    expect(shown()).toBe(rate(GRADUAL_RATE_SCALE));
    await wrapper.get('[data-test="schedule-select"]').setValue('oneshot');
    expect(scale.attributes('placeholder')).toBe(`automatic (${CUT_RATE_SCALE}×)`);
    expect(shown()).toBe(rate(CUT_RATE_SCALE));
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(sentPrune(fake).finetuneLrScale).toBeUndefined();
    const typed = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    await typed.wrapper.get('[data-test="finetune-lr-scale"]').setValue('1.5');
    expect(typed.wrapper.get('[data-test="finetune-rate"]').text()).toBe(rate(1.5));
    await typed.wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(sentPrune(typed.fake).finetuneLrScale).toBe(1.5);
  });

  it('sends only the gradual steps the user filled in, and a scoring only when one was chosen', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    await wrapper.get('[data-test="gradual-end"]').setValue('300');
    await wrapper.get('[data-test="scoring-select"]').setValue('calibration');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const prune = sentPrune(fake);
    expect(prune.schedule).toEqual({ kind: 'gradual', endStep: 300 });
    expect(prune.scoring).toBe('calibration');
  });

  it('offers the scorings the criterion has, disabling those the schedule cannot run, with the reason', async () => {
    const { wrapper } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    const options = () =>
      wrapper.findAll('[data-test="scoring-select"] option').map((o) => {
        const el = o.element as HTMLOptionElement;
        return [el.value, el.text.trim(), el.disabled ? el.title : null];
      });
    expect(options()).toEqual([
      ['automatic', 'automatic (accumulated while training)', null],
      ['accumulated', 'accumulated while training', null],
      ['calibration', 'calibration batches', null],
    ]);
    await wrapper.get('[data-test="schedule-select"]').setValue('oneshot');
    expect(options()).toEqual([
      ['automatic', 'automatic (calibration batches)', null],
      [
        'accumulated',
        'accumulated while training',
        'accumulated scores are gathered while training between prune steps: use the gradual schedule',
      ],
      ['calibration', 'calibration batches', null],
    ]);
    await wrapper.get('input[type="radio"][value="magnitude"]').setValue(true);
    expect(options()).toEqual([
      ['automatic', 'automatic (calibration batches)', null],
      ['calibration', 'calibration batches', null],
    ]);
    await wrapper.get('[data-test="schedule-select"]').setValue('automatic');
    await wrapper.get('input[type="radio"][value="movement"]').setValue(true);
    expect(options()).toEqual([
      ['automatic', 'automatic (accumulated while training)', null],
      ['accumulated', 'accumulated while training', null],
    ]);
  });

  it('a chosen scoring another change made impossible goes back to automatic and says why', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    await wrapper.get('[data-test="scoring-select"]').setValue('accumulated');
    expect(wrapper.find('[data-test="scoring-fallback"]').exists()).toBe(false);
    await wrapper.get('[data-test="schedule-select"]').setValue('iterative');
    expect((wrapper.get('[data-test="scoring-select"]').element as HTMLSelectElement).value).toBe(
      'automatic',
    );
    expect(wrapper.get('[data-test="scoring-fallback"]').text()).toBe(
      'Scoring back to automatic: accumulated scores are gathered while training between prune steps: use the gradual schedule.',
    );
    // choosing again clears the note
    await wrapper.get('[data-test="scoring-select"]').setValue('calibration');
    expect(wrapper.find('[data-test="scoring-fallback"]').exists()).toBe(false);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(sentPrune(fake)).toMatchObject({
      scoring: 'calibration',
      schedule: { kind: 'iterative', rounds: 3 },
    });
  });

  it('disables gradual with the reason when structured is ticked; automatic becomes one-shot, as the schema does', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    const gradual = () =>
      wrapper.get('[data-test="schedule-select"] option[value="gradual"]').element as HTMLOptionElement;
    const automatic = () =>
      wrapper.get('[data-test="schedule-select"] option[value="automatic"]').text().trim();
    expect(gradual().disabled).toBe(false);
    expect(wrapper.find('[data-test="gradual-unavailable"]').exists()).toBe(false);
    await wrapper.get('[data-test="schedule-select"]').setValue('gradual');
    await wrapper.get('[data-test="structured"]').setValue(true);
    const reason = 'structured pruning runs oneshot or iterative, not gradual';
    expect(gradual().disabled).toBe(true);
    expect(gradual().title).toBe(reason);
    expect(wrapper.get('[data-test="gradual-unavailable"]').text()).toBe(
      `Gradual is unavailable: ${reason}.`,
    );
    // the explicit gradual falls back to automatic, which is one-shot here
    expect((wrapper.get('[data-test="schedule-select"]').element as HTMLSelectElement).value).toBe(
      'automatic',
    );
    expect(automatic()).toBe('automatic — one-shot');
    expect(wrapper.get('[data-test="schedule-fallback"]').text()).toBe(
      `Schedule back to automatic: ${reason}.`,
    );
    expect(wrapper.find('[data-test="gradual-steps"]').exists()).toBe(false);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const prune = sentPrune(fake);
    expect(prune.granularity).toBe('structured');
    expect(prune).not.toHaveProperty('schedule');
    expect(prune).not.toHaveProperty('scoring');
    expect(pruneConfig.parse(prune)).toMatchObject({ schedule: { kind: 'oneshot' }, scoring: 'calibration' });
  });

  it('gradual is unavailable for a threshold target and for 0 fine-tune epochs, each saying why', async () => {
    const { wrapper } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    await wrapper.get('[data-test="target-kind"]').setValue('threshold');
    expect(wrapper.get('[data-test="gradual-unavailable"]').text()).toBe(
      'Gradual is unavailable: the gradual schedule needs a target sparsity, not a threshold.',
    );
    await wrapper.get('[data-test="target-kind"]').setValue('sparsity');
    await wrapper.get('[data-test="finetune-input"]').setValue('0');
    expect(wrapper.get('[data-test="gradual-unavailable"]').text()).toBe(
      'Gradual is unavailable: the gradual schedule prunes while fine-tuning: set at least 1 fine-tune epoch.',
    );
    expect(
      (wrapper.get('[data-test="schedule-select"] option[value="gradual"]').element as HTMLOptionElement)
        .disabled,
    ).toBe(true);
    await wrapper.get('[data-test="finetune-input"]').setValue('1');
    expect(wrapper.find('[data-test="gradual-unavailable"]').exists()).toBe(false);
  });

  it('movement without a gradual schedule cannot start: the reason, and one click to gradual', async () => {
    const { wrapper, fake } = await mountWithApi(NewRunView, { props, state: { datasets: [makeDataset()] } });
    await wrapper.get('input[type="radio"][value="movement"]').setValue(true);
    expect(wrapper.find('[data-test="prune-problem"]').exists()).toBe(false);
    await wrapper.get('[data-test="schedule-select"]').setValue('oneshot');
    const reason =
      'accumulated scores are gathered while training between prune steps: use the gradual schedule';
    expect(wrapper.get('[data-test="prune-problem"]').text()).toContain(`Cannot start: ${reason}.`);
    expect(wrapper.get('[data-test="start"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-test="start"]').attributes('title')).toBe(reason);
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(fake.calls.some((c) => c.name === 'runs.start')).toBe(false);
    await wrapper.get('[data-test="use-gradual"]').trigger('click');
    expect((wrapper.get('[data-test="schedule-select"]').element as HTMLSelectElement).value).toBe('gradual');
    expect(wrapper.find('[data-test="prune-problem"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="start"]').attributes('disabled')).toBeUndefined();
    // structured: gradual cannot run either, so no button — the line under the schedule says why
    await wrapper.get('[data-test="structured"]').setValue(true);
    expect(wrapper.get('[data-test="prune-problem"]').text()).toContain('Cannot start');
    expect(wrapper.find('[data-test="use-gradual"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="gradual-unavailable"]').text()).toContain('structured pruning');
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
          granularity: 'unstructured',
        },
      },
    });
    // schedule and scoring left out: the server resolves them (gradual; calibration for magnitude)
    expect(sentPrune(fake)).not.toHaveProperty('schedule');
    expect(sentPrune(fake)).not.toHaveProperty('scoring');
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
      // the automatic schedule, named: every run of the sweep gets it
      schedules: [{ kind: 'gradual' }],
    });
    const sent = fake.calls.find((c) => c.name === 'runs.sweep')!.payload as {
      prune: Record<string, unknown>;
    };
    expect(sent.prune).toMatchObject({ criterion: 'taylor', schedule: { kind: 'gradual' } });
    expect(sent.prune).not.toHaveProperty('scoring');
    expect(wrapper.find('[data-test="scoring-select"]').exists()).toBe(false);
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
