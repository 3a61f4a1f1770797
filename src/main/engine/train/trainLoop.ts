import * as tf from '@tensorflow/tfjs';
import { batchRanges, makeBatch } from './batches';
import { saveCheckpoint } from './checkpoint';
import { predictSet, throwIfAborted } from './evaluate';
import { learningRateAt } from './lrSchedule';
import { createOptimizer } from './optimizers';
import { epochRng, shuffledIndices } from './rng';
import { noProfiler } from './stepProfiler';
import type { EpochResult, LoopState, StepInfo, TrainLoopOptions, TrainResult } from './trainTypes';

const yieldWithSetImmediate = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains `model` in place with a custom loop: per batch, one gradient computation and one optimizer
 * update, between the pruning hooks. Seeded throughout (shuffle and augmentation come from
 * epochRng(seed, epoch)), so the same seed and config give the same weights on a backend, and a run
 * resumed from a checkpoint ends exactly where the uninterrupted run does. Cancellation is checked
 * after every batch; the model then holds mid-epoch weights, and the last checkpoint stays valid.
 */
export async function trainModel(options: TrainLoopOptions): Promise<TrainResult> {
  const { model, train, validation, classes, config, signal, hooks } = options;
  const yieldToEventLoop = options.yieldToEventLoop ?? yieldWithSetImmediate;
  const now = options.now ?? (() => performance.now());
  const profiler = options.profiler ?? noProfiler;
  validateConfig(options);

  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = createOptimizer(variables, {
    name: config.optimizer,
    learningRate: config.learningRate,
    momentum: config.momentum,
  });
  const loop: LoopState = options.resume
    ? structuredClone(options.resume.loop)
    : {
        seed: config.seed,
        epochsCompleted: 0,
        step: 0,
        bestValidationLoss: null,
        epochsWithoutImprovement: 0,
        stoppedEarly: false,
        history: [],
      };
  try {
    if (options.resume) {
      if (options.resume.loop.seed !== config.seed) {
        throw new Error(
          `The checkpoint was trained with seed ${options.resume.loop.seed}, not ${config.seed}.`,
        );
      }
      optimizer.setState(options.resume.optimizer);
    }
    const batchesPerEpoch = Math.ceil(train.count / config.batchSize);
    const totalSteps = batchesPerEpoch * config.epochs;
    const schedule = config.lrSchedule ?? 'constant';
    const augmenting = config.augment.flip || config.augment.shiftPixels > 0;

    while (loop.epochsCompleted < config.epochs && !loop.stoppedEarly) {
      const epoch = loop.epochsCompleted;
      const started = now();
      const rng = epochRng(config.seed, epoch);
      const order = shuffledIndices(train.count, rng);
      let lossSum = 0;
      let correct = 0;
      let batch = 0;
      for (const [start, end] of batchRanges(train.count, config.batchSize)) {
        const info: StepInfo = { step: loop.step, epoch, batch, batchesPerEpoch, model };
        await hooks?.beforeBatch?.(loop.step, info);
        const { loss, correctCount } = trainStep(
          options,
          variables,
          (grads) => {
            if (hooks?.gradients)
              profiler.phase('gradients hook', () => hooks.gradients!(grads, variables, info));
            const rate = learningRateAt(
              schedule,
              config.learningRate,
              loop.step,
              totalSteps,
              config.lrDecayStartStep,
            );
            profiler.phase('optimizer', () => optimizer.apply(grads, rate));
          },
          order.subarray(start, end),
          augmenting ? rng : null,
        );
        if (hooks?.afterOptimizerStep) {
          await profiler.phase('after-step hook (masks)', () => hooks.afterOptimizerStep!(loop.step, info));
        }
        const [lossValue, correctValue] = profiler.phase('loss read-back', () => [
          loss.dataSync(),
          correctCount.dataSync(),
        ]);
        loss.dispose();
        correctCount.dispose();
        lossSum += lossValue[0]! * (end - start);
        correct += correctValue[0]!;
        loop.step += 1;
        options.onBatch?.({
          epoch,
          batch,
          batchesPerEpoch,
          step: loop.step,
          loss: lossValue[0]!,
          accuracy: correctValue[0]! / (end - start),
        });
        batch += 1;
        profiler.stepDone();
        await yieldToEventLoop();
        throwIfAborted(signal);
      }

      let validationLoss: number | null = null;
      let validationAccuracy: number | null = null;
      if (validation && validation.count > 0) {
        const p = await predictSet(model, validation, classes, {
          batchSize: Math.max(config.batchSize, 128),
          signal,
        });
        validationLoss = p.lossSum / validation.count;
        let right = 0;
        for (let i = 0; i < validation.count; i++) if (p.predicted[i] === validation.labels[i]) right += 1;
        validationAccuracy = right / validation.count;
        // an epoch that ends while a gradual prune is still raising sparsity sets no best and spends no patience
        const weighs =
          options.earlyStoppingAfterStep === undefined || loop.step > options.earlyStoppingAfterStep;
        if (weighs && (loop.bestValidationLoss === null || validationLoss < loop.bestValidationLoss)) {
          loop.bestValidationLoss = validationLoss;
          loop.epochsWithoutImprovement = 0;
        } else if (weighs) {
          loop.epochsWithoutImprovement += 1;
        }
        if (
          config.earlyStoppingPatience > 0 &&
          loop.epochsWithoutImprovement >= config.earlyStoppingPatience
        ) {
          loop.stoppedEarly = true;
        }
      }
      const result: EpochResult = {
        epoch: epoch + 1,
        trainLoss: lossSum / train.count,
        trainAccuracy: correct / train.count,
        validationLoss,
        validationAccuracy,
        seconds: (now() - started) / 1000,
      };
      loop.history.push(result);
      loop.epochsCompleted = epoch + 1;
      if (options.checkpoint) {
        const { dir, meta, masks, side, onSaved } = options.checkpoint;
        const path = await saveCheckpoint(dir, {
          model,
          masks: masks?.() ?? null,
          side: side?.() ?? [],
          meta: { ...meta, epochsCompleted: loop.epochsCompleted },
          optimizer: optimizer.getState(),
          loop,
        });
        onSaved?.(path, loop.epochsCompleted);
      }
      await options.onEpoch?.(result);
      throwIfAborted(signal);
    }
    return {
      epochsCompleted: loop.epochsCompleted,
      steps: loop.step,
      stoppedEarly: loop.stoppedEarly,
      history: loop.history,
    };
  } finally {
    optimizer.dispose();
  }
}

/** One forward/backward pass and update; returns the batch's mean loss and correct count as tensors. */
function trainStep(
  { model, train, classes, config, profiler = noProfiler }: TrainLoopOptions,
  variables: tf.Variable[],
  applyGradients: (grads: tf.Tensor[]) => void,
  indices: Uint32Array,
  rng: ReturnType<typeof epochRng> | null,
): { loss: tf.Scalar; correctCount: tf.Scalar } {
  const { x, y } = profiler.phase('batch assembly', () =>
    makeBatch(train, indices, classes, rng ? { options: config.augment, rng } : undefined),
  );
  let correctCount: tf.Scalar | null = null;
  try {
    // the tape runs the forward pass inside; the clock is 'backward' once it returns
    const { value, grads } = profiler.phase('backward', () =>
      tf.variableGrads(
        () =>
          profiler.phase('forward', () => {
            const logits = model.apply(x, { training: true }) as tf.Tensor2D;
            correctCount = tf.keep(
              tf.sum<tf.Tensor>(
                tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'),
              ) as tf.Scalar,
            );
            return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
          }),
        variables,
      ),
    );
    try {
      applyGradients(variables.map((v) => grads[v.name]!));
    } finally {
      tf.dispose(grads);
    }
    return { loss: value, correctCount: correctCount! };
  } finally {
    x.dispose();
    y.dispose();
  }
}

function validateConfig({ config, train, classes, model }: TrainLoopOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(config.epochs) || config.epochs < 1)
    problems.push(`epochs must be ≥ 1 (got ${config.epochs})`);
  if (!Number.isInteger(config.batchSize) || config.batchSize < 1)
    problems.push(`batch size must be ≥ 1 (got ${config.batchSize})`);
  if (!(config.learningRate > 0)) problems.push(`learning rate must be > 0 (got ${config.learningRate})`);
  if (config.optimizer === 'sgd' && !(config.momentum >= 0 && config.momentum < 1)) {
    problems.push(`momentum must be in [0, 1) (got ${config.momentum})`);
  }
  if (!(config.augment.shiftPixels >= 0))
    problems.push(`shift must be ≥ 0 pixels (got ${config.augment.shiftPixels})`);
  if (train.count === 0) problems.push('the training set is empty');
  const outputUnits = model.outputs[0]?.shape[1];
  if (outputUnits !== classes)
    problems.push(`the model has ${outputUnits} outputs but the data has ${classes} classes`);
  const [, h, w, c] = model.inputs[0]?.shape ?? [];
  if (h !== train.height || w !== train.width || c !== train.channels) {
    problems.push(
      `the model takes ${h}×${w}×${c} images but the data is ${train.height}×${train.width}×${train.channels}`,
    );
  }
  if (problems.length > 0) throw new Error(`Cannot train: ${problems.join('; ')}.`);
}
