// Sorting and filtering the run history (pure, so the table's behaviour is tested without a DOM).
import type { Criterion, RunStatus, RunSummary } from '../../shared/dto';

export type SortKey =
  'createdAt' | 'name' | 'bestValAccuracy' | 'testAccuracy' | 'sparsity' | 'exportGzipBytes';

export function sortValue(run: RunSummary, key: SortKey): number | string | null {
  switch (key) {
    case 'createdAt':
      return run.createdAt;
    case 'name':
      return run.name.toLowerCase();
    case 'bestValAccuracy':
      return run.best['validation.accuracy']?.value ?? null;
    case 'testAccuracy':
      return run.testAccuracy;
    case 'sparsity':
      return run.sparsity;
    case 'exportGzipBytes':
      return run.exportGzipBytes;
  }
}

/** Sorts; runs without a value always go last, whichever the direction. */
export function sortRuns(runs: RunSummary[], key: SortKey, dir: 'asc' | 'desc'): RunSummary[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...runs].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null && vb === null) return 0;
    if (va === null) return 1;
    if (vb === null) return -1;
    return va < vb ? -sign : va > vb ? sign : 0;
  });
}

export interface RunFilter {
  datasetId: string | '';
  criterion: Criterion | 'dense' | '';
  status: RunStatus | '';
  text: string;
}

export function filterRuns(runs: RunSummary[], f: RunFilter): RunSummary[] {
  const text = f.text.trim().toLowerCase();
  return runs.filter(
    (r) =>
      (!f.datasetId || r.datasetId === f.datasetId) &&
      (!f.status || r.status === f.status) &&
      (!f.criterion ||
        (f.criterion === 'dense' ? !r.config.prune : r.config.prune?.criterion === f.criterion)) &&
      (!text || r.name.toLowerCase().includes(text) || r.id.toLowerCase().includes(text)),
  );
}
