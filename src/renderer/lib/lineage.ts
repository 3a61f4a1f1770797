// A prune run fine-tunes weights its dense parent trained. Its own metrics start at fine-tuning, so to
// show the whole story the parent's training epochs go first (joinedSeries offsets fine-tune epochs).
import type { RunDetail } from '../../shared/dto';

export function withParentTraining(run: RunDetail, parent: RunDetail | null | undefined): RunDetail {
  if (!parent || run.metrics.some((m) => m.phase === 'train')) return run;
  const training = parent.metrics.filter((m) => m.phase === 'train');
  if (!training.length) return run;
  return { ...run, metrics: [...training, ...run.metrics] };
}
