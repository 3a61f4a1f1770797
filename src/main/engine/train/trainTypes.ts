import type * as tf from '@tensorflow/tfjs';
import type { LrSchedule, TrainConfig } from '../../../shared/dto';
import type { ImageSet } from '../types';
import type { ModelMeta, WeightMasks } from './modelState';
import type { OptimizerState } from './optimizers';
import type { StepProfiler } from './stepProfiler';

/** The parts of a TrainConfig the loop uses (the preset is the caller's business). */
export type TrainLoopConfig = Pick<
  TrainConfig,
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'optimizer'
  | 'momentum'
  | 'augment'
  | 'earlyStoppingPatience'
  | 'seed'
> & {
  /** how the rate moves over this call's steps; constant when absent */
  lrSchedule?: LrSchedule;
  /** the step (over the whole run) where the schedule starts to decay; the base rate before it; 0 when absent */
  lrDecayStartStep?: number;
};

export interface StepInfo {
  /** optimizer steps taken before this batch, over the whole run (0-based) */
  step: number;
  /** 0-based epoch */
  epoch: number;
  /** 0-based batch within the epoch */
  batch: number;
  batchesPerEpoch: number;
  model: tf.LayersModel;
}

/** Pruning plugs in here: re-apply masks after each update, or prune gradually before a batch. */
export interface TrainHooks {
  beforeBatch?(step: number, info: StepInfo): void | Promise<void>;
  /**
   * Every step's gradients, before the optimizer uses them (same order as `variables`, the model's
   * trainable weights). Synchronous; the tensors are freed after the step, so keep only what you derive
   * inside tf.keep or a variable. Scores accumulated while training (pruning) read them here.
   */
  gradients?(grads: readonly tf.Tensor[], variables: readonly tf.Variable[], info: StepInfo): void;
  afterOptimizerStep?(step: number, info: StepInfo): void | Promise<void>;
}

export interface BatchProgress {
  /** 0-based epoch and batch */
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  step: number;
  loss: number;
  accuracy: number;
}

export interface EpochResult {
  /** 1-based: the epoch just finished */
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number | null;
  validationAccuracy: number | null;
  seconds: number;
}

/** The loop's own state at an epoch boundary; JSON. */
export interface LoopState {
  seed: number;
  epochsCompleted: number;
  step: number;
  bestValidationLoss: number | null;
  epochsWithoutImprovement: number;
  stoppedEarly: boolean;
  history: EpochResult[];
}

export interface CheckpointOptions {
  /** e.g. runs/<runId>/checkpoints */
  dir: string;
  meta: ModelMeta;
  /** the masks to store with each checkpoint, read at save time (they may change while training) */
  masks?: () => WeightMasks | null;
  /** more state to carry (e.g. a pruning run's accumulated scores), read at save time; not disposed */
  side?: () => NamedTensor[];
  onSaved?(path: string, epochsCompleted: number): void;
}

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface TrainLoopOptions {
  model: tf.LayersModel;
  train: ImageSet;
  /** scored after every epoch; drives early stopping */
  validation?: ImageSet | null;
  /** number of classes = the model's output units */
  classes: number;
  config: TrainLoopConfig;
  signal?: AbortSignal;
  hooks?: TrainHooks;
  onBatch?(progress: BatchProgress): void;
  onEpoch?(result: EpochResult): void | Promise<void>;
  /** write a checkpoint after every epoch */
  checkpoint?: CheckpointOptions;
  /**
   * early stopping only weighs epochs that end after this step (a gradual prune's last prune step):
   * before it the sparsity is still rising, so the loss is no benchmark and stopping would miss the target
   */
  earlyStoppingAfterStep?: number;
  /** continue from a checkpoint (see loadLatestCheckpoint); tensors are copied, the caller disposes them */
  resume?: { optimizer: OptimizerState; loop: LoopState };
  /** lets queued messages (a cancel) in between batches; injectable for tests */
  yieldToEventLoop?: () => Promise<void>;
  /** clock for epoch timings, in milliseconds */
  now?: () => number;
  /** times every step by phase and kernel (bench:train --profile); absent, the loop only runs */
  profiler?: Pick<StepProfiler, 'phase' | 'stepDone'>;
}

export interface TrainResult {
  epochsCompleted: number;
  steps: number;
  stoppedEarly: boolean;
  history: EpochResult[];
}
