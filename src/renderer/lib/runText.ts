// Short descriptions of a run's configuration, the same in every table.
import type { RunConfig } from '../../shared/dto';
import { percent } from './format';

export function pruneSummary(config: RunConfig): string {
  const p = config.prune;
  if (!p) return config.sensitivity ? `sensitivity · ${config.sensitivity.criterion}` : 'dense';
  const target = p.target.kind === 'sparsity' ? percent(p.target.value, 0) : `θ ${p.target.value}`;
  const schedule = p.schedule.kind === 'iterative' ? `iterative×${p.schedule.rounds}` : p.schedule.kind;
  return `${p.criterion} · ${target} · ${p.scope} · ${schedule}${p.granularity === 'structured' ? ' · structured' : ''}`;
}
