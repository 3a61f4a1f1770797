// Datasets view: first run, import by path and by upload, the doctor's report, class balance, failures.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import DatasetsView from '../../../src/renderer/views/DatasetsView.vue';
import { useJobsStore } from '../../../src/renderer/stores/jobs';
import { useSettingsStore } from '../../../src/renderer/stores/settings';
import { mountWithApi } from '../mountWithApi';
import { makeDataset } from '../fixtures';

afterEach(() => {
  document.body.innerHTML = '';
  location.hash = '';
});

describe('DatasetsView', () => {
  it('on first run says what to do and offers the bundled sample', async () => {
    const { wrapper, fake } = await mountWithApi(DatasetsView, { props: { selectedId: null } });
    useSettingsStore().system = fake.state.system;
    await flushPromises();
    expect(wrapper.get('[data-test="datasets-empty"]').text()).toContain('No datasets yet');
    await wrapper.get('[data-test="try-sample"]').trigger('click');
    await flushPromises();
    expect(fake.calls.find((c) => c.name === 'datasets.import')?.payload).toEqual({
      path: '/opt/prunelab/resources/sample-fashion',
      resizeMode: 'crop',
    });
    expect(wrapper.find('[data-test="import-progress"]').exists()).toBe(true);
  });

  it('hides the sample action when the services ship no sample', async () => {
    const { wrapper, fake } = await mountWithApi(DatasetsView, { props: { selectedId: null } });
    useSettingsStore().system = { ...fake.state.system, sampleDatasetPath: null };
    await flushPromises();
    expect(wrapper.find('[data-test="datasets-empty"]').exists()).toBe(true);
    expect(wrapper.find('[data-test="try-sample"]').exists()).toBe(false);
  });

  it('shows import progress, then opens the new dataset when the job finishes', async () => {
    const { wrapper, fake } = await mountWithApi(DatasetsView, { props: { selectedId: null } });
    await wrapper.get('[data-test="path-input"]').setValue('/data/flowers');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    const jobs = useJobsStore();
    jobs.applyProgress({
      jobId: 'job-1',
      kind: 'import',
      runId: null,
      datasetId: null,
      phase: 'decoding',
      done: 30,
      total: 120,
      etaSeconds: 12,
    });
    await flushPromises();
    const progress = wrapper.get('[data-test="import-progress"]');
    expect(progress.text()).toContain('decoding');
    expect(progress.text()).toContain('30 / 120');
    expect(progress.text()).toContain('ETA 12s');
    fake.state.datasets = [makeDataset({ id: 'ds-new', name: 'flowers' })];
    jobs.applyFinished({
      jobId: 'job-1',
      kind: 'import',
      status: 'done',
      runId: null,
      datasetId: 'ds-new',
      artifactId: null,
      error: null,
    });
    await flushPromises();
    expect(location.hash).toBe('#/datasets/ds-new');
    expect(wrapper.find('[data-test="import-progress"]').exists()).toBe(false);
  });

  it('reports a failed import in words', async () => {
    const { wrapper } = await mountWithApi(DatasetsView, { props: { selectedId: null } });
    await wrapper.get('[data-test="path-input"]').setValue('/data/empty');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    useJobsStore().applyFinished({
      jobId: 'job-1',
      kind: 'import',
      status: 'failed',
      runId: null,
      datasetId: null,
      artifactId: null,
      error: { code: 'IMPORT_FAILED', message: 'only one class folder found' },
    });
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('Import failed: only one class folder found');
  });

  it('shows a validation error from the services without losing the typed path', async () => {
    const { wrapper } = await mountWithApi(DatasetsView, {
      props: { selectedId: null },
      state: { failures: { 'datasets.import': { code: 'VALIDATION', message: 'path must be absolute' } } },
    });
    await wrapper.get('[data-test="path-input"]').setValue('relative/dir');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('path must be absolute');
    expect((wrapper.get('[data-test="path-input"]').element as HTMLInputElement).value).toBe('relative/dir');
  });

  it('uploads a picked folder in serve mode with its paths as dropped', async () => {
    const { wrapper, fake } = await mountWithApi(DatasetsView, { props: { selectedId: null } });
    expect(wrapper.find('[data-test="pick-folder"]').exists()).toBe(true);
    const dz = wrapper.getComponent({ name: 'DropZone' });
    dz.vm.$emit('files', [
      { relativePath: 'pets/cat/1.png', file: new Blob(['a']) },
      { relativePath: 'pets/dog/1.png', file: new Blob(['b']) },
    ]);
    await flushPromises();
    expect(fake.uploads).toHaveLength(1);
    expect(fake.uploads[0]!.files.map((f) => f.relativePath)).toEqual(['pets/cat/1.png', 'pets/dog/1.png']);
    expect(fake.uploads[0]!.options).toEqual({ resizeMode: 'crop' });
  });

  it('in Electron leaves a drop to main (no upload, default not prevented) and shows imports main started', async () => {
    const { wrapper } = await mountWithApi(DatasetsView, { props: { selectedId: null }, transport: 'ipc' });
    expect(wrapper.find('[data-test="pick-folder"]').exists()).toBe(false);
    const drop = new Event('drop', { cancelable: true });
    wrapper.get('[data-test="drop-zone"]').element.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(false);
    useJobsStore().applyProgress({
      jobId: 'from-menu',
      kind: 'import',
      runId: null,
      datasetId: null,
      phase: 'reading files',
      done: 5,
      total: 50,
    });
    await flushPromises();
    expect(wrapper.get('[data-test="import-progress"]').text()).toContain('reading files');
  });

  it('in a browser takes the drop over (default prevented)', async () => {
    const { wrapper } = await mountWithApi(DatasetsView, { props: { selectedId: null } });
    const drop = new Event('drop', { cancelable: true });
    wrapper.get('[data-test="drop-zone"]').element.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
  });

  it('shows the doctor report grouped by reason, class balance flags, split, channels and thumbnails', async () => {
    const { wrapper, fake } = await mountWithApi(DatasetsView, {
      props: { selectedId: 'ds-fashion' },
      state: { datasets: [makeDataset()] },
    });
    const groups = wrapper.findAll('[data-test="problem-group"]');
    expect(groups.map((g) => g.find('summary').text())).toEqual([
      'Corrupt images2',
      'Not images1',
      'Duplicates (kept once)1',
      'Empty files1',
    ]);
    expect(groups[0]!.findAll('li').map((l) => l.text())).toEqual([
      'Bag/broken-1.png — PNG CRC mismatch',
      'Bag/broken-2.png',
    ]);
    expect(wrapper.get('[data-test="imbalance-note"]').text()).toContain('1 class with less than half');
    const flagged = wrapper.findAll('[data-test="class-row"]').filter((r) => r.classes('flagged'));
    expect(flagged.map((r) => r.find('td').text())).toEqual(['Bag low']);
    expect(wrapper.get('[data-test="split-summary"]').text()).toContain('2192 / 274 / 274');
    expect(wrapper.get('[data-test="channel-mix"]').text()).toContain('rgba 1');
    const sampleCalls = fake.calls.filter((c) => c.name === 'datasets.samples');
    expect(sampleCalls).toHaveLength(10);
    expect(wrapper.findAll('[data-test="thumbnails"] img').length).toBe(10 * 14);
  });
});
