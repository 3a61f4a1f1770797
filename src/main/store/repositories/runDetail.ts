// RunDetail = a run's summary + everything recorded under it, read in one place.
import type { RunDetail } from '../../../shared/dto';
import type { ArtifactsRepository } from './artifacts';
import type { DatasetsRepository } from './datasets';
import type { EvaluationsRepository } from './evaluations';
import type { MetricsRepository } from './metrics';
import type { PruneStepsRepository } from './pruneSteps';
import type { RunsRepository } from './runs';
import type { SensitivityRepository } from './sensitivity';

export interface RunDetailSources {
  runs: RunsRepository;
  metrics: MetricsRepository;
  pruneSteps: PruneStepsRepository;
  evaluations: EvaluationsRepository;
  sensitivity: SensitivityRepository;
  artifacts: ArtifactsRepository;
  datasets: DatasetsRepository;
}

export function readRunDetail(s: RunDetailSources, id: string): RunDetail | null {
  const summary = s.runs.get(id);
  if (!summary) return null;
  return {
    ...summary,
    metrics: s.metrics.series(id),
    pruneSteps: s.pruneSteps.list(id),
    denseEvaluation: s.evaluations.get(id, 'dense'),
    evaluation: s.evaluations.get(id, 'final'),
    sensitivity: s.sensitivity.list(id),
    artifacts: s.artifacts.listByRun(id),
    classes: s.datasets.classNames(summary.datasetId) ?? [],
  };
}
