// Where a job runs or a run was trained, in words: this machine, waiting on the queue, or a worker.
import type { BackendInfo, JobSummary } from '../../shared/dto';

export function placementLabel(worker: JobSummary['worker']): string {
  if (worker === undefined) return 'this machine';
  if (worker === null) return 'waiting on the queue';
  return worker;
}

/** Who trained a finished run: the worker it names, else this machine (null when unknown). */
export function trainedOn(backend: BackendInfo | null): string | null {
  if (!backend) return null;
  return backend.worker ?? 'this machine';
}
