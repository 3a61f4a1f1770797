// Runs: the history list and full details; live events update both. Details carry long metric series,
// so they live in a shallowRef and are replaced, never deep-watched.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Events, PayloadIn } from '../../shared/api';
import type { CompareResult, MetricSeries, RunDetail, RunSummary } from '../../shared/dto';
import { useApi } from '../api/inject';

function withEpoch(metrics: MetricSeries[], e: Events['run.epoch']): MetricSeries[] {
  const next = metrics.slice();
  for (const v of e.values) {
    const i = next.findIndex((m) => m.name === v.name && m.split === v.split && m.phase === e.phase);
    const old = i >= 0 ? next[i]! : { name: v.name, split: v.split, phase: e.phase, epochs: [], values: [] };
    const at = old.epochs.indexOf(e.epoch);
    const series: MetricSeries = {
      ...old,
      epochs: at >= 0 ? old.epochs : [...old.epochs, e.epoch],
      values: at >= 0 ? old.values.map((x, k) => (k === at ? v.value : x)) : [...old.values, v.value],
    };
    if (i >= 0) next[i] = series;
    else next.push(series);
  }
  return next;
}

export const useRunsStore = defineStore('runs', () => {
  const api = useApi();
  const list = shallowRef<RunSummary[]>([]);
  const loaded = ref(false);
  const details = shallowRef<Record<string, RunDetail>>({});
  const comparison = shallowRef<CompareResult | null>(null);

  async function load() {
    list.value = await api.call('runs.list', {});
    loaded.value = true;
  }

  function put(detail: RunDetail) {
    details.value = { ...details.value, [detail.id]: detail };
    const {
      metrics: _m,
      pruneSteps: _p,
      denseEvaluation: _d,
      evaluation: _e,
      sensitivity: _s,
      artifacts: _a,
      classes: _c,
      ...summary
    } = detail;
    const i = list.value.findIndex((r) => r.id === detail.id);
    list.value = i >= 0 ? list.value.map((r, k) => (k === i ? summary : r)) : [summary, ...list.value];
  }

  async function fetchDetail(id: string): Promise<RunDetail> {
    const detail = await api.call('runs.get', { id });
    put(detail);
    return detail;
  }

  function patch(runId: string, change: (d: RunDetail) => RunDetail) {
    const d = details.value[runId];
    if (d) details.value = { ...details.value, [runId]: change(d) };
  }

  function applyEpoch(e: Events['run.epoch']) {
    patch(e.runId, (d) => ({ ...d, metrics: withEpoch(d.metrics, e) }));
  }

  function applyPruneStep(e: Events['run.pruneStep']) {
    patch(e.runId, (d) => ({
      ...d,
      pruneSteps: [...d.pruneSteps.filter((s) => s.step !== e.report.step), e.report].sort(
        (a, b) => a.step - b.step,
      ),
      sparsity: e.report.achievedSparsity,
    }));
  }

  function applyEvaluation(e: Events['run.evaluation']) {
    patch(e.runId, (d) =>
      e.which === 'dense'
        ? { ...d, denseEvaluation: e.report }
        : { ...d, evaluation: e.report, testAccuracy: e.report.accuracy },
    );
  }

  function applyBackend(e: Events['run.backend']) {
    patch(e.runId, (d) => ({ ...d, backend: e.backend }));
    list.value = list.value.map((r) => (r.id === e.runId ? { ...r, backend: e.backend } : r));
  }

  function applyStatus(e: Events['run.status']) {
    patch(e.runId, (d) => ({ ...d, status: e.status, error: e.error }));
    list.value = list.value.map((r) => (r.id === e.runId ? { ...r, status: e.status, error: e.error } : r));
  }

  async function start(payload: PayloadIn<'runs.start'>) {
    const started = await api.call('runs.start', payload);
    void load();
    return started;
  }

  async function sweep(payload: PayloadIn<'runs.sweep'>) {
    const result = await api.call('runs.sweep', payload);
    void load();
    return result;
  }

  async function cancel(id: string) {
    await api.call('runs.cancel', { id });
  }

  async function resume(id: string) {
    return api.call('runs.resume', { id });
  }

  async function remove(id: string) {
    await api.call('runs.delete', { id });
    list.value = list.value.filter((r) => r.id !== id);
    const { [id]: _gone, ...rest } = details.value;
    details.value = rest;
  }

  async function compare(ids: string[]) {
    // Never show a previous selection's runs under a new one while the answer is on its way.
    comparison.value = null;
    comparison.value = await api.call('runs.compare', { ids });
    return comparison.value;
  }

  return {
    list,
    loaded,
    details,
    comparison,
    load,
    fetchDetail,
    applyEpoch,
    applyPruneStep,
    applyEvaluation,
    applyStatus,
    applyBackend,
    start,
    sweep,
    cancel,
    resume,
    remove,
    compare,
  };
});
