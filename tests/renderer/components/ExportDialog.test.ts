// Export dialog: the request it sends, progress, the size table and parity, failure and reveal.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import ExportDialog from '../../../src/renderer/components/runs/ExportDialog.vue';
import { useJobsStore } from '../../../src/renderer/stores/jobs';
import { mountWithApi } from '../mountWithApi';
import { makeArtifact, makeSystem } from '../fixtures';

afterEach(() => {
  document.body.innerHTML = '';
});

const props = { runId: 'r1', runName: 'taylor 80%' };

describe('ExportDialog', () => {
  it('exports with the chosen format, encoding and zip, then shows sizes and parity', async () => {
    const { wrapper, fake } = await mountWithApi(ExportDialog, {
      props,
      state: { artifacts: [makeArtifact('r1')] },
    });
    await wrapper.get('[data-test="export-format"]').setValue('onnx');
    await wrapper.get('[data-test="export-encoding"]').setValue('float16');
    await wrapper.get('[data-test="export-start"]').trigger('click');
    await flushPromises();
    expect(fake.calls.find((c) => c.name === 'exports.create')!.payload).toEqual({
      runId: 'r1',
      format: 'onnx',
      encoding: 'float16',
      zip: true,
    });
    expect(wrapper.get('[data-test="export-start"]').attributes('disabled')).toBeDefined();
    useJobsStore().applyProgress({
      jobId: 'job-1',
      kind: 'export',
      runId: 'r1',
      datasetId: null,
      phase: 'parity',
      done: 2,
      total: 4,
      message: '64 images in a fresh onnxruntime process',
    });
    await flushPromises();
    expect(wrapper.text()).toContain('checking parity… 64 images in a fresh onnxruntime process');
    useJobsStore().applyFinished({
      jobId: 'job-1',
      kind: 'export',
      status: 'done',
      runId: 'r1',
      datasetId: null,
      artifactId: 'art-1',
      error: null,
    });
    await flushPromises();
    const result = wrapper.get('[data-test="export-result"]');
    expect(result.get('[data-test="parity"]').text()).toBe('✓ parity');
    expect(result.text()).toContain('top-1 agreement 100.0%');
    // the sizes say which export they are (a run may have several)
    expect(result.get('[data-test="size-export-label"]').text()).toBe('TF.js float32');
    const table = result.get('[data-test="size-table"]').text();
    expect(table).toContain('3.26×');
    expect(table).toContain('4.35×');
  });

  it('says why an export failed (e.g. parity)', async () => {
    const { wrapper } = await mountWithApi(ExportDialog, { props });
    await wrapper.get('[data-test="export-start"]').trigger('click');
    await flushPromises();
    useJobsStore().applyFinished({
      jobId: 'job-1',
      kind: 'export',
      status: 'failed',
      runId: 'r1',
      datasetId: null,
      artifactId: null,
      error: { code: 'PARITY_FAILED', message: 'top-1 agreement 91% < 99%' },
    });
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe('Export failed: top-1 agreement 91% < 99%');
    expect(wrapper.find('[data-test="export-result"]').exists()).toBe(false);
  });

  async function exported(transport: 'ipc' | 'websocket') {
    const mounted = await mountWithApi(ExportDialog, {
      props,
      transport,
      state: {
        artifacts: [makeArtifact('r1')],
        system: makeSystem({ mode: transport === 'ipc' ? 'electron' : 'serve' }),
      },
    });
    await mounted.wrapper.get('[data-test="export-start"]').trigger('click');
    await flushPromises();
    useJobsStore().applyFinished({
      jobId: 'job-1',
      kind: 'export',
      status: 'done',
      runId: 'r1',
      datasetId: null,
      artifactId: 'art-1',
      error: null,
    });
    await flushPromises();
    return mounted;
  }

  it('in serve mode, the zip downloads from the page; the server folder is named, not "revealed"', async () => {
    const { wrapper } = await exported('websocket');
    const link = wrapper.get('[data-test="download"]');
    expect(link.attributes('href')).toBe('http://127.0.0.1:7370/api/exports/art-1/zip?token=t');
    expect(link.attributes('download')).toBeDefined();
    expect(wrapper.find('[data-test="reveal"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="export-path"]').text()).toBe(
      'On the server at /home/user/.local/share/PruneLab/exports/r1/tfjs-float32.zip',
    );
  });

  it('in the desktop app, the export is revealed in its folder (nothing to download)', async () => {
    const { wrapper, fake } = await exported('ipc');
    expect(wrapper.find('[data-test="download"]').exists()).toBe(false);
    await wrapper.get('[data-test="reveal"]').trigger('click');
    await flushPromises();
    expect(fake.calls.find((c) => c.name === 'system.reveal')!.payload).toEqual({
      path: '/home/user/.local/share/PruneLab/exports/r1/tfjs-float32.zip',
    });
  });

  it('closes on Escape', async () => {
    const { wrapper } = await mountWithApi(ExportDialog, { props });
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(wrapper.emitted('close')).toHaveLength(1);
  });
});
