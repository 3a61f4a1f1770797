// The images of one confusion cell: pages of at most 500 indices (the request schema's limit), the split the
// evaluation ran on, stale answers dropped, and the fallback for evaluations recorded without predictions.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import type { EvaluationReport } from '../../../src/shared/dto';
import { payloads as schemas } from '../../../src/shared/schemas';
import ConfusionCellImages from '../../../src/renderer/components/runs/ConfusionCellImages.vue';
import { mountWithApi } from '../mountWithApi';

afterEach(() => {
  document.body.innerHTML = '';
});

const classes = ['cat', 'dog'];

/** 1,203 images: every third one a dog; cats are predicted cat except every 50th; dogs always dog. */
function bigEvaluation(): EvaluationReport {
  const labels = Array.from({ length: 1203 }, (_, i) => (i % 3 === 2 ? 1 : 0));
  const predictions = labels.map((label, i) => (label === 0 && i % 50 === 0 ? 1 : label));
  const confusion = [
    [0, 0],
    [0, 0],
  ];
  labels.forEach((label, i) => (confusion[label]![predictions[i]!]! += 1));
  return {
    loss: 0.1,
    accuracy: 0.98,
    macroF1: 0.98,
    balancedAccuracy: 0.98,
    perClass: [],
    confusion,
    mostConfidentlyWrong: [],
    predictions,
    labels,
  };
}

const samplesPayloads = (calls: { name: string; payload: unknown }[]) =>
  calls.filter((c) => c.name === 'datasets.samples').map((c) => c.payload as Record<string, unknown>);

describe('ConfusionCellImages', () => {
  it('pages a large cell 500 indices at a time, each request valid for the schema', async () => {
    const evaluation = bigEvaluation();
    const cats = evaluation.labels!.flatMap((l, i) =>
      l === 0 && evaluation.predictions![i] === 0 ? [i] : [],
    );
    expect(cats).toHaveLength(785);
    const { wrapper, fake } = await mountWithApi(ConfusionCellImages, {
      props: { datasetId: 'd1', evaluation, classes, cell: [0, 0] },
    });
    expect(samplesPayloads(fake.calls)).toEqual([
      { id: 'd1', split: 'test', indices: cats.slice(0, 500), limit: 500 },
    ]);
    expect(wrapper.get('[data-test="cell-count"]').text()).toBe('785 test images · showing 500');
    expect(wrapper.findAll('img')).toHaveLength(500);
    expect(wrapper.get('[data-test="cell-more"]').text()).toBe('Show 285 more');
    await wrapper.get('[data-test="cell-more"]').trigger('click');
    await flushPromises();
    const payloads = samplesPayloads(fake.calls);
    expect(payloads[1]).toEqual({ id: 'd1', split: 'test', indices: cats.slice(500), limit: 285 });
    for (const p of payloads) expect(schemas['datasets.samples'].safeParse(p).success).toBe(true);
    expect(wrapper.findAll('img').map((i) => i.attributes('alt'))).toEqual(
      cats.map((i) => `test image ${i}`),
    );
    expect(wrapper.get('[data-test="cell-count"]').text()).toBe('785 test images');
    expect(wrapper.find('[data-test="cell-more"]').exists()).toBe(false);
  });

  it('asks the split the evaluation ran on', async () => {
    const evaluation = { ...bigEvaluation(), split: 'validation' as const };
    const { wrapper, fake } = await mountWithApi(ConfusionCellImages, {
      props: { datasetId: 'd1', evaluation, classes, cell: [0, 1] },
    });
    const wrong = evaluation.labels!.flatMap((l, i) =>
      l === 0 && evaluation.predictions![i] === 1 ? [i] : [],
    );
    expect(samplesPayloads(fake.calls)).toEqual([
      { id: 'd1', split: 'validation', indices: wrong, limit: wrong.length },
    ]);
    expect(wrapper.get('[data-test="cell-count"]').text()).toBe(`${wrong.length} validation images`);
  });

  it('an answer for a cell no longer selected is dropped', async () => {
    const evaluation = bigEvaluation();
    const { wrapper, fake } = await mountWithApi(ConfusionCellImages, {
      props: { datasetId: 'd1', evaluation, classes, cell: [0, 1] },
    });
    // switch cells before the first answer arrives
    await wrapper.setProps({ cell: [1, 1] });
    await wrapper.setProps({ cell: [0, 1] });
    await flushPromises();
    const wrong = evaluation.labels!.flatMap((l, i) =>
      l === 0 && evaluation.predictions![i] === 1 ? [i] : [],
    );
    expect(samplesPayloads(fake.calls).length).toBeGreaterThanOrEqual(2);
    expect(wrapper.findAll('img').map((i) => i.attributes('alt'))).toEqual(
      wrong.map((i) => `test image ${i}`),
    );
  });

  it('without recorded predictions (older runs) shows the most confidently wrong images and says so', async () => {
    const { predictions: _p, labels: _l, ...old } = bigEvaluation();
    const evaluation: EvaluationReport = {
      ...old,
      mostConfidentlyWrong: [
        { index: 50, label: 0, predicted: 1, confidence: 0.9 },
        { index: 7, label: 1, predicted: 0, confidence: 0.8 },
        { index: 100, label: 0, predicted: 1, confidence: 0.7 },
      ],
    };
    const { wrapper, fake } = await mountWithApi(ConfusionCellImages, {
      props: { datasetId: 'd1', evaluation, classes, cell: [0, 1] },
    });
    expect(samplesPayloads(fake.calls)).toEqual([{ id: 'd1', split: 'test', indices: [50, 100], limit: 2 }]);
    expect(wrapper.text()).toContain('did not record every prediction');
    // a diagonal cell has no wrong images to fall back on: nothing is asked
    await wrapper.setProps({ cell: [0, 0] });
    await flushPromises();
    expect(samplesPayloads(fake.calls)).toHaveLength(1);
    expect(wrapper.text()).toContain('No images to show for this cell.');
  });

  it('a failed request is shown and can be retried', async () => {
    const { wrapper, fake } = await mountWithApi(ConfusionCellImages, {
      props: { datasetId: 'd1', evaluation: bigEvaluation(), classes, cell: [1, 1] },
      state: { failures: { 'datasets.samples': { code: 'NOT_FOUND', message: 'dataset d1 not found' } } },
    });
    expect(wrapper.text()).toContain('dataset d1 not found');
    expect(wrapper.findAll('img')).toHaveLength(0);
    fake.state.failures = {};
    await wrapper.get('[data-test="cell-more"]').trigger('click');
    await flushPromises();
    expect(wrapper.findAll('img')).toHaveLength(401);
    expect(wrapper.text()).not.toContain('dataset d1 not found');
  });
});
