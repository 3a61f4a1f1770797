// Background jobs (import, train, prune, export): latest progress per job and how each one ended.
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import type { Events } from '../../shared/api';
import type { JobSummary } from '../../shared/dto';
import { useApi } from '../api/inject';

export type JobProgress = Events['job.progress'];
export type JobFinished = Events['job.finished'];

export const useJobsStore = defineStore('jobs', () => {
  const api = useApi();
  const progress = shallowRef<Record<string, JobProgress>>({});
  const finished = shallowRef<Record<string, JobFinished>>({});
  const list = shallowRef<JobSummary[]>([]);

  async function load() {
    list.value = await api.call('jobs.list', {});
    const next = { ...progress.value };
    for (const j of list.value) {
      if (j.status === 'running' || j.status === 'queued')
        next[j.id] = {
          jobId: j.id,
          kind: j.kind,
          runId: j.runId,
          datasetId: j.datasetId,
          phase: j.phase,
          done: j.done,
          total: j.total,
        };
    }
    progress.value = next;
  }

  function applyProgress(e: JobProgress) {
    progress.value = { ...progress.value, [e.jobId]: e };
  }

  function applyFinished(e: JobFinished) {
    const { [e.jobId]: _done, ...rest } = progress.value;
    progress.value = rest;
    finished.value = { ...finished.value, [e.jobId]: e };
  }

  async function cancel(jobId: string) {
    await api.call('jobs.cancel', { jobId });
  }

  const active = computed(() => Object.values(progress.value));

  function forRun(runId: string): JobProgress | null {
    return active.value.find((p) => p.runId === runId) ?? null;
  }

  return { progress, finished, list, active, load, applyProgress, applyFinished, cancel, forRun };
});
