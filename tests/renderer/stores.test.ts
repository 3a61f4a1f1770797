// Stores hold DTOs and apply live events; useLiveUpdates releases its subscriptions on unmount.
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp, defineComponent, h, isReactive } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import { mount } from '@vue/test-utils';
import { apiKey } from '../../src/renderer/api/inject';
import { useRunsStore } from '../../src/renderer/stores/runs';
import { useJobsStore } from '../../src/renderer/stores/jobs';
import { useSettingsStore } from '../../src/renderer/stores/settings';
import { useLiveUpdates } from '../../src/renderer/composables/useLiveUpdates';
import { createFakeApi, type FakeApi } from './fakeApi';
import { makeRun } from './fixtures';
import { makeLayerReport, seeded } from './fixtures';

function freshStores(fake: FakeApi) {
  const app = createApp({ render: () => null });
  app.provide(apiKey, fake.client);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return app;
}

describe('useRunsStore', () => {
  let fake: FakeApi;
  beforeEach(() => {
    fake = createFakeApi({ runs: [makeRun({ id: 'r1', status: 'running', epochs: 2 })] });
  });

  it('appends live epochs to a fetched detail without deep reactivity on the series', async () => {
    const app = freshStores(fake);
    const runs = app.runWithContext(() => useRunsStore());
    await runs.fetchDetail('r1');
    expect(isReactive(runs.details.r1)).toBe(false);
    const before = runs.details.r1!;
    runs.applyEpoch({
      runId: 'r1',
      epoch: 3,
      phase: 'train',
      values: [{ split: 'validation', name: 'accuracy', value: 0.91 }],
    });
    const after = runs.details.r1!;
    expect(after).not.toBe(before);
    const val = after.metrics.find(
      (m) => m.split === 'validation' && m.name === 'accuracy' && m.phase === 'train',
    )!;
    expect(val.epochs).toEqual([1, 2, 3]);
    expect(val.values[2]).toBe(0.91);
    // a repeated epoch replaces its value instead of duplicating it
    runs.applyEpoch({
      runId: 'r1',
      epoch: 3,
      phase: 'train',
      values: [{ split: 'validation', name: 'accuracy', value: 0.92 }],
    });
    const again = runs.details.r1!.metrics.find(
      (m) => m.split === 'validation' && m.name === 'accuracy' && m.phase === 'train',
    )!;
    expect(again.epochs).toEqual([1, 2, 3]);
    expect(again.values[2]).toBe(0.92);
  });

  it('applies prune steps, evaluations and status to detail and list', async () => {
    const app = freshStores(fake);
    const runs = app.runWithContext(() => useRunsStore());
    await runs.load();
    await runs.fetchDetail('r1');
    const layer = makeLayerReport('dense_1', 4, 8, 0.5, seeded(3));
    runs.applyPruneStep({
      runId: 'r1',
      report: {
        step: 1,
        atStep: 10,
        targetSparsity: 0.5,
        achievedSparsity: 0.52,
        layers: [layer],
        totals: {
          parameters: 1,
          nonzeroParameters: 1,
          prunableWeights: 32,
          keptPrunableWeights: 16,
          denseFlops: 1,
          effectiveFlops: 1,
          compressionRatio: 2,
        },
      },
    });
    expect(runs.details.r1!.pruneSteps).toHaveLength(1);
    expect(runs.details.r1!.sparsity).toBe(0.52);
    runs.applyStatus({ runId: 'r1', status: 'failed', error: 'boom' });
    expect(runs.details.r1!.status).toBe('failed');
    expect(runs.list.find((r) => r.id === 'r1')!.error).toBe('boom');
  });
});

describe('useSettingsStore', () => {
  it('follows the OS when the theme is system, and the setting otherwise', async () => {
    const fake = createFakeApi();
    fake.state.settings.theme = 'system';
    const app = freshStores(fake);
    const settings = app.runWithContext(() => useSettingsStore());
    await settings.load();
    settings.osPrefersDark = true;
    expect(settings.effectiveTheme).toBe('dark');
    await settings.setTheme('light');
    expect(settings.effectiveTheme).toBe('light');
    expect(fake.calls.at(-1)).toEqual({ name: 'settings.set', payload: { theme: 'light' } });
  });
});

describe('useLiveUpdates', () => {
  it('routes events into the stores and unsubscribes everything on unmount', async () => {
    const fake = createFakeApi();
    const pinia = createPinia();
    const Host = defineComponent({
      setup() {
        useLiveUpdates();
        return () => h('div');
      },
    });
    const wrapper = mount(Host, {
      global: { plugins: [pinia], provide: { [apiKey as symbol]: fake.client } },
    });
    expect(fake.listenerCount()).toBe(7);
    fake.emit('job.progress', {
      jobId: 'j1',
      kind: 'train',
      runId: 'r',
      datasetId: null,
      phase: 'epoch 1/2',
      done: 1,
      total: 2,
    });
    setActivePinia(pinia);
    expect(useJobsStore().active).toHaveLength(1);
    fake.emit('job.finished', {
      jobId: 'j1',
      kind: 'train',
      status: 'done',
      runId: 'r',
      datasetId: null,
      artifactId: null,
      error: null,
    });
    expect(useJobsStore().active).toHaveLength(0);
    expect(useJobsStore().finished.j1!.status).toBe('done');
    wrapper.unmount();
    expect(fake.listenerCount()).toBe(0);
  });
});
