export { trainModel } from './trainLoop';
export type {
  BatchProgress,
  CheckpointOptions,
  EpochResult,
  LoopState,
  StepInfo,
  TrainHooks,
  TrainLoopConfig,
  TrainLoopOptions,
  TrainResult,
} from './trainTypes';
export { evaluateModel, predictSet, throwIfAborted, type EvaluateOptions } from './evaluate';
export { computeEvaluationReport, MAX_RECORDED_PREDICTIONS, type Predictions } from './metrics';
export { saveCheckpoint, loadLatestCheckpoint, type LoadedCheckpoint } from './checkpoint';
export {
  saveModelState,
  loadModelState,
  readModelMeta,
  weightKey,
  type ModelMeta,
  type WeightMasks,
} from './modelState';
export { makeBatch, batchRanges, type Augmentation } from './batches';
export { createRng, epochRng, shuffledIndices, type Rng } from './rng';
export { createOptimizer, type OptimizerState, type TrainOptimizer } from './optimizers';
