// Class balance of a dataset: flag classes much smaller than the typical one.
import type { ClassCount } from '../../shared/dto';

export interface ClassBalanceRow extends ClassCount {
  /** count ÷ largest class count */
  share: number;
  underrepresented: boolean;
}

/** A class is flagged when it has less than half the images of the median class. */
export function classBalance(classes: ClassCount[]): ClassBalanceRow[] {
  const counts = classes.map((c) => c.count).sort((a, b) => a - b);
  const median = counts.length
    ? (counts[Math.floor((counts.length - 1) / 2)]! + counts[Math.ceil((counts.length - 1) / 2)]!) / 2
    : 0;
  const max = counts.length ? counts[counts.length - 1]! : 0;
  return classes.map((c) => ({
    ...c,
    share: max ? c.count / max : 0,
    underrepresented: c.count < median / 2,
  }));
}
