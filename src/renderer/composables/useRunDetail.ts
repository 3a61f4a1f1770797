// One run's full detail, fetched when the id changes; live events keep it current via the store.
import { computed, ref, watch, type Ref } from 'vue';
import { describeError } from '../api/client';
import { useJobsStore } from '../stores/jobs';
import { useRunsStore } from '../stores/runs';

export function useRunDetail(options: { runId: Ref<string> }) {
  const runs = useRunsStore();
  const jobs = useJobsStore();
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function reload() {
    loading.value = true;
    error.value = null;
    try {
      await runs.fetchDetail(options.runId.value);
    } catch (err) {
      error.value = describeError(err);
    } finally {
      loading.value = false;
    }
  }

  watch(options.runId, () => void reload(), { immediate: true });

  const run = computed(() => runs.details[options.runId.value] ?? null);
  const progress = computed(() => jobs.forRun(options.runId.value));
  return { run, progress, loading, error, reload };
}
