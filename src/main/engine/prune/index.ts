// The pruning engine: saliency criteria, exact selection, masks that hold, schedules, structured shrink,
// sensitivity analysis and per-step reports. Plain Node + tfjs; tasks/pruneTask.ts wires it to data and disk.
export { makeCalibrationBatches, disposeCalibration, type CalibrationBatch } from './calibration';
export { computeSaliency, type SaliencyScores } from './saliency';
export {
  allKernels,
  findPrunableKernels,
  type PrunableKernel,
  type KernelSelection,
} from './prunableKernels';
export {
  selectWeights,
  keepAllButLowest,
  type LayerScores,
  type LayerSelection,
  type SelectionRules,
} from './selection';
export {
  applyMasks,
  countRevivedWeights,
  disposeMasks,
  masksFromSelection,
  prunedFlags,
  type WeightMasks,
} from './masks';
export { iterativeSparsity, gradualSparsity, isGradualPruneStep, validateGradualSchedule } from './schedules';
export { maskBitmap, unpackBitmap, scoreHistogram } from './bitmap';
export { layerReport, modelTotals, countNonzeroParameters } from './report';
export { pruneUnstructuredStep, type UnstructuredStepInput } from './pruneStep';
export { shrinkModel, zeroRemovedUnits } from './structured/shrink';
export { planChannelFlow } from './structured/channelFlow';
export { unitScores } from './structured/unitScores';
export {
  pruneStructuredStep,
  initialStructuredState,
  structuredLayerReports,
  type StructuredState,
} from './structured/structuredStep';
export { analyzeSensitivity, measureOn, type SensitivityInput } from './sensitivity';
export { compareLatency } from './latency';
export { imageSubset } from './subset';
export {
  runPruneSession,
  type PruneSessionInput,
  type PruneSessionResult,
  type PruneCheckpointExtra,
} from './pruneSession';
export { loadLatestPruneCheckpoint } from './pruneCheckpoint';
