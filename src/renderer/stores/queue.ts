// The distributed queue as the coordinator sees it: depth, workers seen in the last minute, and where each
// job runs. Polled while the app is open and a queue is in use (the queue has no events of its own).
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { JobSummary, QueueStatus } from '../../shared/dto';
import { useApi } from '../api/inject';

export const useQueueStore = defineStore('queue', () => {
  const api = useApi();
  const status = shallowRef<QueueStatus | null>(null);
  /** Where each job in progress runs (JobSummary.worker), by job id. */
  const placement = shallowRef<Record<string, JobSummary['worker']>>({});
  const error = ref<string | null>(null);
  let timer: ReturnType<typeof setInterval> | null = null;

  async function load() {
    const [next, jobs] = await Promise.all([api.call('jobs.queue', {}), api.call('jobs.list', {})]);
    status.value = next;
    placement.value = Object.fromEntries(jobs.map((j) => [j.id, j.worker]));
  }

  async function refresh() {
    try {
      await load();
      error.value = null;
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  /** Starts polling every `ms` (default 5 s) when the services use a queue; returns the stop. */
  async function watch(ms = 5000): Promise<() => void> {
    await refresh();
    if (status.value?.enabled && !timer) timer = setInterval(() => void refresh(), ms);
    return stop;
  }

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  function workerOfJob(jobId: string): JobSummary['worker'] {
    return placement.value[jobId];
  }

  return { status, placement, error, load, refresh, watch, stop, workerOfJob };
});
