import type { Criterion } from '../../../../shared/dto';
import { createRng } from '../../train/rng';
import type { PrunableKernel } from '../prunableKernels';
import { hashKey, lampScores, type SaliencyScores } from '../saliency';

/**
 * One score per output unit (conv filter or dense unit): the sum of its weights' scores — the L1 norm for
 * `magnitude`, the summed saliency (for fisher: the loss increase of removing the whole unit, to second
 * order with a diagonal Hessian) otherwise; `lamp` is LAMP over the units' L1 norms (so `weightScores`
 * holds |w| for it); `random` draws one seeded number per unit.
 */
export function unitScores(
  kernels: readonly PrunableKernel[],
  weightScores: SaliencyScores,
  criterion: Criterion,
  seed: number,
): Map<string, Float32Array> {
  const result = new Map<string, Float32Array>();
  for (const k of kernels) {
    const units = k.shape[k.shape.length - 1]!;
    const sums = new Float32Array(units);
    if (criterion === 'random') {
      const rng = createRng(seed ^ 0x51c0de ^ hashKey(k.key));
      for (let o = 0; o < units; o++) sums[o] = rng.next();
    } else {
      const scores = weightScores.get(k.key);
      if (!scores) throw new Error(`No scores for ${k.key}.`);
      // kernel memory order puts the output unit last, so weight i belongs to unit i mod units
      for (let i = 0; i < scores.length; i++) sums[i % units]! += scores[i]!;
      if (criterion === 'lamp') sums.set(lampScores(sums));
    }
    result.set(k.key, sums);
  }
  return result;
}
