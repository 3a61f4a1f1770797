// The job worker's entry point for sensitivity runs: prune one layer at a time of the dense parent at each
// sparsity and measure it on a validation subset; one curve per layer, streamed as it completes.
import type { BackendInfo, SensitivityConfig, SensitivityCurve } from '../../../shared/dto';
import { sensitivityConfig as sensitivityConfigSchema } from '../../../shared/schemas';
import { initBackend } from '../backend';
import { readDatasetCache } from '../data/cache';
import { CALIBRATION_BATCH_SIZE, disposeCalibration, makeCalibrationBatches } from '../prune/calibration';
import { disposeMasks } from '../prune/masks';
import { findPrunableKernels } from '../prune/prunableKernels';
import { analyzeSensitivity } from '../prune/sensitivity';
import { imageSubset } from '../prune/subset';
import { loadModelState } from '../train/modelState';
import { dataLayout, type TaskContext } from '../types';
import { checkModelFitsData } from './taskShared';

export interface SensitivityTaskInput {
  runId: string;
  datasetId: string;
  parentModelDir: string;
  config: SensitivityConfig;
}

export async function sensitivityTask(
  input: SensitivityTaskInput,
  ctx: TaskContext,
): Promise<{ backend: BackendInfo; curves: SensitivityCurve[] }> {
  const parsed = sensitivityConfigSchema.safeParse(input.config);
  if (!parsed.success) {
    throw new Error(
      `Run ${input.runId} has invalid sensitivity settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const config = parsed.data;
  const backend = await initBackend();
  ctx.emit({ type: 'backend', backend });
  const { splits } = await readDatasetCache(dataLayout.datasetDir(ctx.dataDir, input.datasetId));
  const parent = await loadModelState(input.parentModelDir);
  disposeMasks(parent.masks);
  const trainConfig = parent.meta.trainConfig;
  const seed = trainConfig?.seed ?? 42;
  const batches = makeCalibrationBatches(splits.train, splits.classes.length, {
    // as a real prune with the same settings measures it (pruneSession), so a curve's point equals that prune
    batches: config.calibrationBatches,
    batchSize: CALIBRATION_BATCH_SIZE,
    seed,
  });
  try {
    checkModelFitsData(parent.model, splits, input.parentModelDir);
    const source = splits.validation.count > 0 ? splits.validation : splits.test;
    const curves = await analyzeSensitivity({
      model: parent.model,
      kernels: findPrunableKernels(parent.model, { pruneFirstLayer: true, pruneLastLayer: true }),
      criterion: config.criterion,
      batches,
      seed,
      sparsities: config.sparsities,
      set: imageSubset(source, config.validationSamples, seed),
      classes: splits.classes.length,
      signal: ctx.signal,
      onCurve: (curve) => ctx.emit({ type: 'sensitivity', curve }),
      onProgress: (done, total) => ctx.emit({ type: 'progress', phase: 'sensitivity', done, total }),
    });
    return { backend, curves };
  } finally {
    disposeCalibration(batches);
    parent.model.dispose();
  }
}
