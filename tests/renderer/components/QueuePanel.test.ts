// The queue panel: depth and the workers seen in the last minute from jobs.queue, nothing but the
// setting's button without a queue, and the setting saved for the next start. Where jobs run, in words.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import QueuePanel from '../../../src/renderer/components/common/QueuePanel.vue';
import { useSettingsStore } from '../../../src/renderer/stores/settings';
import { placementLabel, trainedOn } from '../../../src/renderer/lib/placement';
import { mountWithApi } from '../mountWithApi';

afterEach(() => {
  document.body.innerHTML = '';
});

const queue = {
  enabled: true,
  url: 'redis://:***@lab:6379/0',
  depth: { waiting: 4, active: 2, delayed: 0 },
  workers: [
    { id: 'a', host: 'lab-gpu', pid: 42, concurrency: 2, running: 2, lastSeen: '2026-01-01T00:00:00.000Z' },
  ],
  problem: null,
};

describe('QueuePanel', () => {
  it('shows the queue depth and the workers seen in the last minute', async () => {
    const { wrapper, fake } = await mountWithApi(QueuePanel, {
      state: {
        queue,
        jobs: [
          {
            id: 'j1',
            kind: 'train',
            status: 'running',
            runId: 'r1',
            datasetId: 'd',
            phase: 'train',
            done: 1,
            total: 2,
            startedAt: null,
            worker: 'lab-gpu (pid 42)',
          },
        ],
      },
    });
    await flushPromises();
    expect(wrapper.get('[data-test="queue-depth"]').text()).toBe('4 waiting · 2 running');
    expect(wrapper.get('[data-test="queue-workers"]').text()).toContain('lab-gpu');
    expect(wrapper.get('[data-test="queue-workers"]').text()).toContain('(pid 42) · 2/2');
    expect(wrapper.text()).toContain('redis://:***@lab:6379/0');
    expect(fake.calls.filter((c) => c.name === 'jobs.queue')).toHaveLength(1);
    expect(wrapper.find('[data-test="queue-add-worker"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('offers the line that adds a worker, open while there is none', async () => {
    const workerCommand =
      'prunelab worker --queue redis://:***@lab:6379/0 --coordinator http://127.0.0.1:7370 --token T';
    const { wrapper } = await mountWithApi(QueuePanel, {
      state: { queue: { ...queue, workers: [], workerCommand } },
    });
    await flushPromises();
    const details = wrapper.get('[data-test="queue-add-worker"]');
    expect(details.attributes('open')).toBeDefined();
    expect(details.get('code').text()).toBe(workerCommand);
    wrapper.unmount();
  });

  it('says when Redis does not answer instead of showing a depth', async () => {
    const { wrapper } = await mountWithApi(QueuePanel, {
      state: {
        queue: { ...queue, depth: null, problem: 'Redis at redis://:***@lab:6379/0 does not answer' },
      },
    });
    await flushPromises();
    expect(wrapper.find('[data-test="queue-depth"]').exists()).toBe(false);
    expect(wrapper.get('[role="status"]').text()).toContain('does not answer');
    wrapper.unmount();
  });

  it('without a queue offers only the setting, and saves it for the next start', async () => {
    const { wrapper, fake } = await mountWithApi(QueuePanel);
    await useSettingsStore().load();
    await flushPromises();
    expect(wrapper.find('[data-test="queue-depth"]').exists()).toBe(false);
    await wrapper.get('[data-test="queue-edit"]').trigger('click');
    await wrapper.get('[data-test="queue-url"]').setValue('redis://:pw@lab:6379/0');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(fake.calls.find((c) => c.name === 'settings.set')!.payload).toEqual({
      queueUrl: 'redis://:pw@lab:6379/0',
    });
    expect(wrapper.get('[data-test="queue-message"]').text()).toContain('from the next start');
    wrapper.unmount();
  });
});

describe('placement', () => {
  it('names this machine, the queue, or the worker', () => {
    expect(placementLabel(undefined)).toBe('this machine');
    expect(placementLabel(null)).toBe('waiting on the queue');
    expect(placementLabel('lab (pid 1)')).toBe('lab (pid 1)');
    expect(trainedOn(null)).toBeNull();
    expect(trainedOn({ name: 'wasm', threads: 2, reason: 'r' })).toBe('this machine');
    expect(trainedOn({ name: 'wasm', threads: 2, reason: 'r', worker: 'lab (pid 1)' })).toBe('lab (pid 1)');
  });
});
