// What iteration i of the crash writer writes, computable on both sides of the kill.
import type { PruneStepReport } from '../../../src/shared/dto';
import type { EpochMetrics } from '../../../src/main/store';

export const metricsPerEpoch = 200;
export const layersPerStep = 8;
/** 8 layers × 48 KiB of mask ≈ 384 KiB per step: bigger than SQLite's page cache spill threshold over a few steps. */
const maskBytes = 48 * 1024;

export function crashIteration(i: number): { epoch: EpochMetrics; step: PruneStepReport } {
  const epoch: EpochMetrics = {
    epoch: i,
    phase: 'train',
    values: Array.from({ length: metricsPerEpoch }, (_, k) => ({
      split: 'validation' as const,
      name: `m${k}`,
      value: i + k / 1000,
    })),
  };
  const mask = Buffer.alloc(maskBytes, (i * 31) % 256).toString('base64');
  const step: PruneStepReport = {
    step: i,
    atStep: i * 10,
    targetSparsity: 0.5,
    achievedSparsity: 0.5,
    layers: Array.from({ length: layersPerStep }, (_, l) => ({
      name: `layer${l}`,
      weights: maskBytes * 8,
      kept: maskBytes * 4,
      sparsity: 0.5,
      threshold: i + l,
      histogram: { min: 0, max: 1, counts: Array.from({ length: 32 }, () => l) },
      mask: { rows: maskBytes, cols: 8, bitsBase64: mask },
    })),
    totals: {
      parameters: 1,
      nonzeroParameters: 1,
      prunableWeights: 1,
      keptPrunableWeights: 1,
      denseFlops: 1,
      effectiveFlops: 1,
      compressionRatio: 1,
    },
  };
  return { epoch, step };
}
