// Routes the services' pushed events into the stores for as long as the calling component lives, and
// reloads them when a dropped connection comes back (the events pushed meanwhile were lost).
import { onScopeDispose } from 'vue';
import { useApi } from '../api/inject';
import { useDatasetsStore } from '../stores/datasets';
import { useJobsStore } from '../stores/jobs';
import { useRunsStore } from '../stores/runs';

export function useLiveUpdates(): void {
  const api = useApi();
  const jobs = useJobsStore();
  const runs = useRunsStore();
  const datasets = useDatasetsStore();

  const refreshRun = (runId: string | null) => {
    if (!runId) return;
    void runs.load().catch(() => undefined);
    if (runs.details[runId]) void runs.fetchDetail(runId).catch(() => undefined);
  };

  const offs = [
    api.on('job.progress', (e) => jobs.applyProgress(e)),
    api.on('job.finished', (e) => {
      jobs.applyFinished(e);
      if (e.kind === 'import') void datasets.load().catch(() => undefined);
      refreshRun(e.runId);
    }),
    api.on('run.backend', (e) => runs.applyBackend(e)),
    api.on('run.epoch', (e) => runs.applyEpoch(e)),
    api.on('run.pruneStep', (e) => runs.applyPruneStep(e)),
    api.on('run.evaluation', (e) => runs.applyEvaluation(e)),
    api.on('run.status', (e) => {
      runs.applyStatus(e);
      if (e.status !== 'running' && e.status !== 'queued') refreshRun(e.runId);
    }),
    api.on('dataset.changed', (e) => {
      datasets.forget(e.datasetId);
      void datasets.load().catch(() => undefined);
      // A rename shows in run names and their dataset column; a delete takes its runs with it.
      if (e.change === 'imported') return;
      void runs.load().catch(() => undefined);
      for (const detail of Object.values(runs.details))
        if (detail.datasetId === e.datasetId) void runs.fetchDetail(detail.id).catch(() => undefined);
    }),
  ];
  // After a reconnect: lists, job progress and the runs still in flight are re-read, so a run that
  // finished (or a job that ended) while the socket was down does not stay "running" on screen.
  const resync = () => {
    void jobs.load().catch(() => undefined);
    void runs.load().catch(() => undefined);
    if (datasets.loaded) void datasets.load().catch(() => undefined);
    for (const detail of Object.values(runs.details)) {
      if (detail.status === 'running' || detail.status === 'queued')
        void runs.fetchDetail(detail.id).catch(() => undefined);
    }
  };
  if (api.onReconnect) offs.push(api.onReconnect(resync));
  onScopeDispose(() => offs.forEach((off) => off()));
}
