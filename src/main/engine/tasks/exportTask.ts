// The job worker's entry point for exports.create: load the run's model (and its dense parent), write
// the export, measure it, prove it predicts like the app in a fresh process.
import type { ExportFormat, RunConfig, WeightEncoding } from '../../../shared/dto';
import { ApiError } from '../../../shared/errors';
import { initBackend } from '../backend';
import { readDatasetCache } from '../data/cache';
import { exportModel, type ExportOutcome } from '../export/exportModel';
import { createScratchJournal } from '../files/journal';
import { imagesAsModelInput } from '../export/modelInput';
import { loadModelState } from '../train/modelState';
import { dataLayout, type ImageSet, type TaskContext } from '../types';

export interface ExportTaskInput {
  runId: string;
  modelDir: string;
  /** the dense parent's model (prune runs); null compares against this model without its masks */
  denseModelDir: string | null;
  datasetId: string;
  format: ExportFormat;
  encoding: WeightEncoding;
  outDir: string;
  zip: boolean;
  /** replace an earlier PruneLab export at outDir */
  overwrite: boolean;
  runConfig: RunConfig | null;
  appVersion: string;
}

export type ExportTaskResult = ExportOutcome;

/** The parity check uses at most this many test images. */
export const PARITY_IMAGE_LIMIT = 1000;

const formats: readonly string[] = ['tfjs', 'onnx'];
const encodings: readonly string[] = ['float32', 'float16', 'uint8'];

export async function exportTask(input: ExportTaskInput, ctx: TaskContext): Promise<ExportTaskResult> {
  if (!formats.includes(input.format))
    throw invalid(`unknown export format "${input.format}" (tfjs or onnx)`);
  if (!encodings.includes(input.encoding))
    throw invalid(`unknown weight encoding "${input.encoding}" (float32, float16 or uint8)`);
  ctx.emit({ type: 'backend', backend: await initBackend() });
  ctx.emit({
    type: 'progress',
    phase: 'load',
    done: 0,
    total: 4,
    message: 'from the run folder and the dataset cache',
  });
  const { detail, splits } = await readDatasetCache(dataLayout.datasetDir(ctx.dataDir, input.datasetId));
  const state = await loadModelState(input.modelDir);
  const parent = input.denseModelDir
    ? await loadModelState(input.denseModelDir).catch((err: unknown) => {
        state.model.dispose();
        disposeMasks(state.masks);
        throw err;
      })
    : null;
  try {
    ctx.signal.throwIfAborted();
    const images = parityImageSet(splits, state.meta.inputShape);
    return await exportModel({
      model: state.model,
      masks: state.masks,
      denseModel: parent?.model ?? null,
      format: input.format,
      encoding: input.encoding,
      outDir: input.outDir,
      zip: input.zip,
      overwrite: input.overwrite,
      journal: createScratchJournal(ctx.dataDir),
      classes: state.meta.classes,
      inputShape: state.meta.inputShape,
      resizeMode: detail.resizeMode,
      runId: input.runId,
      runConfig: input.runConfig,
      appVersion: input.appVersion,
      parityImages: {
        images: imagesAsModelInput(images, PARITY_IMAGE_LIMIT),
        count: Math.min(PARITY_IMAGE_LIMIT, images.count),
        height: images.height,
        width: images.width,
        channels: images.channels,
      },
      signal: ctx.signal,
      onProgress: (phase, done, total, message) =>
        ctx.emit({ type: 'progress', phase, done, total, message }),
    });
  } catch (err) {
    throw ctx.signal.aborted ? abortError() : err;
  } finally {
    state.model.dispose();
    disposeMasks(state.masks);
    if (parent) {
      parent.model.dispose();
      disposeMasks(parent.masks);
    }
  }
}

/** The test split (the images the model never trained on); validation if a tiny dataset has none. */
function parityImageSet(
  splits: { test: ImageSet; validation: ImageSet },
  [h, w, c]: [number, number, number],
): ImageSet {
  const set = splits.test.count > 0 ? splits.test : splits.validation;
  if (set.count === 0)
    throw invalid('the dataset has no test or validation images to check the export against');
  if (set.height !== h || set.width !== w || set.channels !== c) {
    throw invalid(
      `the dataset's images are ${set.height}×${set.width}×${set.channels} but the model takes ${h}×${w}×${c}`,
    );
  }
  return set;
}

function disposeMasks(masks: Map<string, { dispose(): void }> | null): void {
  for (const mask of masks?.values() ?? []) mask.dispose();
}

function invalid(message: string): ApiError {
  return new ApiError({ code: 'VALIDATION', message: `Cannot export: ${message}.` });
}

function abortError(): Error {
  const err = new Error('The export was cancelled.');
  err.name = 'AbortError';
  return err;
}
