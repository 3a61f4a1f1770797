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

  // The dense parent's detail lives in the store too, so live epochs of a training parent show here.
  const parentId = computed(() => runs.details[options.runId.value]?.parentRunId ?? null);
  watch(
    parentId,
    (id) => {
      if (id && !runs.details[id]) void runs.fetchDetail(id).catch(() => undefined);
    },
    { immediate: true },
  );

  const run = computed(() => runs.details[options.runId.value] ?? null);
  // Drawn faded before the prune run's own epochs; never counted in its figures (shared/bestMetric.ts).
  const parent = computed(() => (parentId.value ? (runs.details[parentId.value] ?? null) : null));
  const progress = computed(() => jobs.forRun(options.runId.value));
  return { run, parent, progress, loading, error, reload };
}
