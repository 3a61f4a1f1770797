// The job worker's entry point for train runs: read the dataset cache, build the preset (or pick up the
// newest checkpoint), train with a checkpoint after every epoch, evaluate on the test split and save the
// final model under runs/<runId>/model.
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { BackendInfo, EvaluationReport, TrainConfig } from '../../../shared/dto';
import { trainConfig as trainConfigSchema } from '../../../shared/schemas';
import { initBackend } from '../backend';
import { readDatasetCache } from '../data/cache';
import { createPreset } from '../models';
import { loadLatestCheckpoint } from '../train/checkpoint';
import { evaluateModel } from '../train/evaluate';
import { saveModelState, type ModelMeta } from '../train/modelState';
import { trainModel } from '../train/trainLoop';
import { dataLayout, type DatasetSplits, type ImageSet, type TaskContext } from '../types';
import { checkModelFitsData, epochEvent } from './taskShared';

export interface TrainTaskInput {
  runId: string;
  datasetId: string;
  config: TrainConfig;
  /** continue from the newest checkpoint if there is one (a fresh start otherwise) */
  resume: boolean;
}

export interface TrainTaskResult {
  backend: BackendInfo;
  epochsCompleted: number;
  /** the final model on the test split (validation, then train, when the test split is empty) */
  evaluation: EvaluationReport;
  modelDir: string;
}

/** Progress events at most this often; the epoch's last batch always reports. */
const progressIntervalMs = 100;

export async function trainTask(input: TrainTaskInput, ctx: TaskContext): Promise<TrainTaskResult> {
  const parsed = trainConfigSchema.safeParse(input.config);
  if (!parsed.success) {
    throw new Error(
      `Run ${input.runId} has invalid training settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const config = parsed.data;
  const backend = await initBackend();
  ctx.emit({ type: 'backend', backend });

  const { splits } = await readDatasetCache(dataLayout.datasetDir(ctx.dataDir, input.datasetId));
  const classNames = [...splits.classes];
  const { height, width, channels } = splits.train;
  const runDir = dataLayout.runDir(ctx.dataDir, input.runId);
  const checkpointsDir = join(runDir, 'checkpoints');
  const modelDir = join(runDir, 'model');
  const meta: ModelMeta = {
    preset: config.preset,
    inputShape: [height, width, channels],
    classes: classNames,
    runId: input.runId,
    output: 'logits',
    trainConfig: config,
  };

  const checkpoint = input.resume ? await loadLatestCheckpoint(checkpointsDir) : null;
  const resumeSlots: tf.Tensor[] = checkpoint
    ? [...checkpoint.optimizer.slots.flat(), ...checkpoint.side.values()]
    : [];
  if (checkpoint?.masks) for (const mask of checkpoint.masks.values()) mask.dispose();
  const model =
    checkpoint?.model ??
    createPreset(config.preset, {
      inputShape: [height, width, channels],
      classes: classNames.length,
      seed: config.seed,
    });
  try {
    if (checkpoint) {
      if (checkpoint.meta.preset !== config.preset) {
        throw new Error(
          `The checkpoint in ${checkpoint.path} is a ${checkpoint.meta.preset}, but run ${input.runId} trains ${config.preset}.`,
        );
      }
      checkModelFitsData(model, splits, checkpoint.path);
    }
    const batchesPerEpoch = Math.ceil(splits.train.count / config.batchSize);
    let lastProgress = -Infinity;
    const result = await trainModel({
      model,
      train: splits.train,
      validation: splits.validation.count > 0 ? splits.validation : null,
      classes: classNames.length,
      config,
      signal: ctx.signal,
      resume: checkpoint ? { optimizer: checkpoint.optimizer, loop: checkpoint.loop } : undefined,
      checkpoint: {
        dir: checkpointsDir,
        meta,
        onSaved: (path, epoch) => ctx.emit({ type: 'checkpoint', epoch, phase: 'train', path }),
      },
      onBatch: (p) => {
        const now = performance.now();
        if (now - lastProgress < progressIntervalMs && p.batch + 1 < p.batchesPerEpoch) return;
        lastProgress = now;
        ctx.emit({
          type: 'progress',
          phase: 'train',
          done: p.epoch * batchesPerEpoch + p.batch + 1,
          total: config.epochs * batchesPerEpoch,
          message: `epoch ${p.epoch + 1}/${config.epochs}, batch ${p.batch + 1}/${p.batchesPerEpoch}, loss ${p.loss.toFixed(4)}`,
        });
      },
      onEpoch: (epoch) => ctx.emit(epochEvent(epoch, 'train')),
    });

    const { set: evaluationSet, split } = evaluationSplit(splits);
    ctx.emit({
      type: 'progress',
      phase: 'evaluate',
      done: 0,
      total: evaluationSet.count,
      message: `on the ${split} split`,
    });
    const evaluation = await evaluateModel(model, evaluationSet, classNames, {
      split,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.emit({ type: 'progress', phase: 'evaluate', done, total }),
    });
    ctx.emit({ type: 'evaluation', which: 'final', report: evaluation });
    await saveModelState(modelDir, {
      model,
      meta: { ...meta, backend, epochsCompleted: result.epochsCompleted },
    });
    return { backend, epochsCompleted: result.epochsCompleted, evaluation, modelDir };
  } finally {
    model.dispose();
    // the loop copied the optimizer state it resumed from; these originals are ours to free
    for (const t of resumeSlots) t.dispose();
  }
}

function evaluationSplit(splits: DatasetSplits): { set: ImageSet; split: 'test' | 'validation' | 'train' } {
  if (splits.test.count > 0) return { set: splits.test, split: 'test' };
  if (splits.validation.count > 0) return { set: splits.validation, split: 'validation' };
  return { set: splits.train, split: 'train' };
}
