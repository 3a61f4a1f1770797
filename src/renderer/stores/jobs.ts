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
    const ended = { ...finished.value };
    for (const id of Object.keys(next)) {
      // A job we showed as in progress that ended while we were not listening (e.g. a dropped socket):
      // take it off the in-progress list, and record how it ended when the list still says.
      const j = list.value.find((x) => x.id === id);
      if (j?.status === 'running' || j?.status === 'queued') continue;
      delete next[id];
      if (j && !ended[id])
        ended[id] = {
          jobId: j.id,
          kind: j.kind,
          status: j.status,
          runId: j.runId,
          datasetId: j.datasetId,
          artifactId: null,
          error:
            j.status === 'failed'
              ? {
                  code: 'INTERNAL',
                  message:
                    'it failed while the connection to the PruneLab server was down (its message was lost)',
                }
              : null,
        };
    }
    finished.value = ended;
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
