// Stores hold DTOs and apply live events; useLiveUpdates releases its subscriptions on unmount.
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp, defineComponent, h, isReactive } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import { flushPromises, mount } from '@vue/test-utils';
import type { ApiClient } from '../../src/renderer/api/client';
import type { JobSummary } from '../../src/shared/dto';
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

/** A component that only wires live updates, as App.vue does. */
const Host = defineComponent({
  setup() {
    useLiveUpdates();
    return () => h('div');
  },
});

describe('useLiveUpdates', () => {
  it('routes events into the stores and unsubscribes everything on unmount', async () => {
    const fake = createFakeApi();
    const pinia = createPinia();
    const wrapper = mount(Host, {
      global: { plugins: [pinia], provide: { [apiKey as symbol]: fake.client } },
    });
    expect(fake.listenerCount()).toBe(8);
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

  it('after a reconnect, reloads what the lost events would have said; a dropped subscription stops it', async () => {
    const job = (status: JobSummary['status']): JobSummary => ({
      id: 'j1',
      kind: 'train',
      status,
      runId: 'r1',
      datasetId: null,
      phase: 'epoch 1/2',
      done: 1,
      total: 2,
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    const fake = createFakeApi({
      runs: [makeRun({ id: 'r1', status: 'running' }), makeRun({ id: 'r2', status: 'done' })],
      jobs: [job('running')],
    });
    const reconnectListeners = new Set<() => void>();
    const client: ApiClient = {
      ...fake.client,
      onReconnect: (listener) => {
        reconnectListeners.add(listener);
        return () => reconnectListeners.delete(listener);
      },
    };
    const pinia = createPinia();
    const wrapper = mount(Host, { global: { plugins: [pinia], provide: { [apiKey as symbol]: client } } });
    setActivePinia(pinia);
    const runs = useRunsStore();
    const jobs = useJobsStore();
    await Promise.all([runs.load(), runs.fetchDetail('r1'), runs.fetchDetail('r2'), jobs.load()]);
    expect(jobs.forRun('r1')).not.toBeNull();
    expect(reconnectListeners.size).toBe(1);

    // While the socket was down the run finished and its job ended; no event reached us.
    fake.state.runs = fake.state.runs.map((r) =>
      r.id === 'r1' ? { ...r, status: 'done', finishedAt: '2026-01-01T01:00:00.000Z' } : r,
    );
    fake.state.jobs = [job('done')];
    fake.calls.length = 0;
    for (const listener of reconnectListeners) listener();
    await flushPromises();

    expect(runs.details.r1!.status).toBe('done');
    expect(runs.list.find((r) => r.id === 'r1')!.status).toBe('done');
    expect(jobs.forRun('r1')).toBeNull();
    expect(jobs.finished.j1).toMatchObject({ jobId: 'j1', status: 'done', runId: 'r1', error: null });
    // only the run that could have changed is fetched again
    expect(fake.calls.filter((c) => c.name === 'runs.get').map((c) => c.payload)).toEqual([{ id: 'r1' }]);
    expect(fake.calls.map((c) => c.name).sort()).toEqual(['jobs.list', 'runs.get', 'runs.list']);

    wrapper.unmount();
    expect(reconnectListeners.size).toBe(0);
  });
});
