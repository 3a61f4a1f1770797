import type { LrSchedule } from '../../../shared/dto';

/**
 * The learning rate of optimizer step `step` (0-based) out of `totalSteps` in one training call. The rate
 * holds at its base until `decayStart` and the schedule runs over the steps from there to the end (a
 * gradual prune decays only once the model has reached its final sparsity):
 * - constant: the base rate throughout;
 * - cosine:   base · ½(1 + cos(π·step/totalSteps)), from the base rate down towards 0 (Loshchilov &
 *             Hutter 2017, without restarts) — fine-tuning a pruned model ends on small steps that settle
 *             the surviving weights instead of bouncing around the new minimum;
 * - step:     the base rate for the first half, ÷10 for the third quarter, ÷100 for the last.
 * A function of the step alone, so a resumed run follows exactly the uninterrupted run's rates.
 */
export function learningRateAt(
  schedule: LrSchedule,
  base: number,
  step: number,
  totalSteps: number,
  decayStart = 0,
): number {
  const span = totalSteps - decayStart;
  if (schedule === 'constant' || span <= 0) return base;
  const progress = Math.min(Math.max((step - decayStart) / span, 0), 1);
  if (schedule === 'cosine') return base * 0.5 * (1 + Math.cos(Math.PI * progress));
  if (progress < 0.5) return base;
  return progress < 0.75 ? base / 10 : base / 100;
}
