// Datasets view: first run, import by path and by upload, the doctor's report, class balance, failures.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import DatasetsView from '../../../src/renderer/views/DatasetsView.vue';
import { useJobsStore } from '../../../src/renderer/stores/jobs';
import { useSettingsStore } from '../../../src/renderer/stores/settings';
import { mountWithApi } from '../mountWithApi';
import { makeDataset, makeRun } from '../fixtures';

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

describe('DatasetsView: dataset identity', () => {
  const finishImport = (over: Partial<Parameters<ReturnType<typeof useJobsStore>['applyFinished']>[0]>) =>
    useJobsStore().applyFinished({
      jobId: 'job-1',
      kind: 'import',
      status: 'done',
      runId: null,
      datasetId: 'ds-discarded',
      artifactId: null,
      error: null,
      ...over,
    });

  it('renames in place; a taken name is refused with the reason, Escape leaves it as it was', async () => {
    const { wrapper, fake } = await mountWithApi(DatasetsView, {
      props: { selectedId: 'a' },
      state: { datasets: [makeDataset({ id: 'a', name: 'cats' }), makeDataset({ id: 'b', name: 'dogs' })] },
    });
    await wrapper.get('[data-test="rename"]').trigger('click');
    await wrapper.get('[data-test="rename-input"]').setValue('Dogs');
    await wrapper.get('[data-test="rename-form"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-test="rename-error"]').text()).toContain(
      'a dataset named "Dogs" already exists',
    );
    expect(wrapper.find('[data-test="rename-form"]').exists()).toBe(true);
    await wrapper.get('[data-test="rename-input"]').setValue('kittens');
    await wrapper.get('[data-test="rename-form"]').trigger('submit');
    await flushPromises();
    expect(fake.calls.filter((c) => c.name === 'datasets.rename').map((c) => c.payload)).toEqual([
      { id: 'a', name: 'Dogs' },
      { id: 'a', name: 'kittens' },
    ]);
    expect(wrapper.get('[data-test="dataset-name"]').text()).toBe('kittens');
    expect(wrapper.findAll('[data-test="dataset-item"]').map((i) => i.find('.name').text())).toContain(
      'kittens',
    );

    await wrapper.get('[data-test="rename"]').trigger('click');
    await wrapper.get('[data-test="rename-input"]').setValue('never saved');
    await wrapper.get('[data-test="rename-form"]').trigger('keydown', { key: 'Escape' });
    expect(wrapper.get('[data-test="dataset-name"]').text()).toBe('kittens');
  });

  it('asks before deleting, saying how many runs go with the dataset, and deletes them only when confirmed', async () => {
    const { wrapper, fake } = await mountWithApi(DatasetsView, {
      props: { selectedId: 'ds-fashion' },
      state: {
        datasets: [makeDataset({ runCount: 2 })],
        runs: [makeRun({ id: 'r1' }), makeRun({ id: 'r2', seed: 2 })],
      },
    });
    await wrapper.get('[data-test="delete"]').trigger('click');
    const dialog = wrapper.get('[data-test="confirm-dialog"]');
    expect(dialog.attributes('role')).toBe('alertdialog');
    expect(dialog.get('#confirm-title').text()).toBe('Delete the dataset “Fashion sample”?');
    expect(dialog.get('[data-test="delete-runs"]').text()).toContain('2 runs use it.');
    expect(dialog.text()).toContain('deletes those runs too: their metrics, checkpoints and the exports');
    expect(dialog.text()).toContain('the source images in /data/fashion-sample are not touched');
    expect(dialog.get('[data-test="confirm-ok"]').text()).toBe('Delete it and its 2 runs');
    // the safe choice has the focus; Cancel deletes nothing
    expect(document.activeElement).toBe(dialog.get('[data-test="confirm-cancel"]').element);
    await dialog.get('[data-test="confirm-cancel"]').trigger('click');
    expect(wrapper.find('[data-test="confirm-dialog"]').exists()).toBe(false);
    expect(fake.calls.some((c) => c.name === 'datasets.delete')).toBe(false);

    await wrapper.get('[data-test="delete"]').trigger('click');
    await wrapper.get('[data-test="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(fake.calls.find((c) => c.name === 'datasets.delete')?.payload).toEqual({
      id: 'ds-fashion',
      deleteRuns: true,
    });
    expect(fake.state.runs).toEqual([]);
    expect(location.hash).toBe('#/datasets');
  });

  it('says a dataset no run uses only loses its cache', async () => {
    const { wrapper, fake } = await mountWithApi(DatasetsView, {
      props: { selectedId: 'ds-fashion' },
      state: { datasets: [makeDataset()] },
    });
    await wrapper.get('[data-test="delete"]').trigger('click');
    expect(wrapper.get('[data-test="delete-no-runs"]').text()).toContain('No run uses it');
    await wrapper.get('[data-test="confirm-ok"]').trigger('click');
    await flushPromises();
    expect(fake.calls.find((c) => c.name === 'datasets.delete')?.payload).toEqual({
      id: 'ds-fashion',
      deleteRuns: false,
    });
  });

  it('offers the existing dataset when an import finds its content already imported, and a copy on request', async () => {
    const { wrapper, fake } = await mountWithApi(DatasetsView, {
      props: { selectedId: null },
      state: { datasets: [makeDataset({ id: 'ds-old', name: 'flowers' })] },
    });
    await wrapper.get('[data-test="path-input"]').setValue('/data/flowers-again');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    finishImport({ duplicateOf: { datasetId: 'ds-old', name: 'flowers' } });
    await flushPromises();
    const offer = wrapper.get('[data-test="duplicate-offer"]');
    expect(offer.text()).toContain('Already imported: this content is the dataset flowers');
    expect(offer.text()).toContain('Nothing new was kept.');
    expect(location.hash).toBe('#/datasets/ds-old');
    await offer.get('[data-test="import-copy"]').trigger('click');
    await flushPromises();
    expect(fake.calls.filter((c) => c.name === 'datasets.import').map((c) => c.payload)).toEqual([
      { path: '/data/flowers-again', resizeMode: 'crop' },
      { path: '/data/flowers-again', resizeMode: 'crop', duplicate: 'copy' },
    ]);
    expect(wrapper.find('[data-test="duplicate-offer"]').exists()).toBe(false);
  });

  it('a dropped folder that duplicates is uploaded again as a copy when asked', async () => {
    const { wrapper, fake } = await mountWithApi(DatasetsView, { props: { selectedId: null } });
    const files = [
      { relativePath: 'pets/cat/1.png', file: new Blob(['a']) },
      { relativePath: 'pets/dog/1.png', file: new Blob(['b']) },
    ];
    wrapper.getComponent({ name: 'DropZone' }).vm.$emit('files', files);
    await flushPromises();
    finishImport({ duplicateOf: { datasetId: 'ds-fashion', name: 'pets' } });
    await flushPromises();
    await wrapper.get('[data-test="import-copy"]').trigger('click');
    await flushPromises();
    expect(fake.uploads.map((u) => u.options)).toEqual([
      { resizeMode: 'crop' },
      { resizeMode: 'crop', duplicate: 'copy' },
    ]);
    expect(fake.uploads[1]!.files).toEqual(files);
  });

  it('lists every file an import left out, with its reason, when the import failed for it', async () => {
    const { wrapper } = await mountWithApi(DatasetsView, { props: { selectedId: null } });
    await wrapper.get('[data-test="path-input"]').setValue('/data/broken');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    finishImport({
      status: 'failed',
      datasetId: null,
      error: {
        code: 'IMPORT_FAILED',
        message:
          "Class folders 'cat', 'dog' in /data/broken have no usable images (3 file(s) were left out, listed below).",
        details: {
          problems: [
            { path: 'cat/a.png', reason: 'corrupt', detail: 'truncated IDAT' },
            { path: 'cat/b.png', reason: 'empty-file' },
            { path: 'dog/c.gif', reason: 'unsupported-format', detail: 'GIF' },
          ],
        },
      },
    });
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('3 file(s) were left out, listed below');
    const report = wrapper.get('[data-test="import-failure"]');
    expect(report.findAll('details').every((d) => (d.element as HTMLDetailsElement).open)).toBe(true);
    expect(report.text()).toContain('cat/a.png — truncated IDAT');
    expect(report.text()).toContain('cat/b.png');
    expect(report.text()).toContain('dog/c.gif — GIF');
    expect(report.text()).toContain('Corrupt images');
  });

  it('says where a dataset came from: an upload whose copy is gone, an IDX set’s official test split', async () => {
    const uploaded = makeDataset({
      id: 'up',
      name: 'pets',
      origin: 'upload',
      sourcePath: '/home/u/.local/share/PruneLab/uploads/s1/0123456789abcdef0123456789abcdef/pets',
    });
    const idx = makeDataset({
      id: 'idx',
      name: 'fashion-mnist',
      kind: 'idx',
      sourcePath: '/usr/share/datasets/fashion-mnist',
      split: {
        train: 54_000,
        validation: 6_000,
        test: 10_000,
        seed: 42,
        fromFolders: true,
        given: ['train', 'test'],
      },
    });
    const { wrapper } = await mountWithApi(DatasetsView, {
      props: { selectedId: 'up' },
      state: { datasets: [uploaded, idx] },
    });
    expect(wrapper.get('[data-test="dataset-source"]').text()).toBe(
      'uploaded from a browser (folder "pets"); the uploaded copy was removed after import — the dataset lives in its cache',
    );
    await wrapper.setProps({ selectedId: 'idx' });
    await flushPromises();
    expect(wrapper.get('[data-test="dataset-source"]').text()).toBe('/usr/share/datasets/fashion-mnist');
    expect(wrapper.get('[data-test="split-origin"]').text()).toBe(
      'official test split (the t10k files) · validation carved from train (seed 42)',
    );
  });
});
