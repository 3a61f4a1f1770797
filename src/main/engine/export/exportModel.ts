import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type {
  ExportFormat,
  ParityResult,
  ResizeMode,
  RunConfig,
  SizeTable,
  WeightEncoding,
} from '../../../shared/dto';
import { ApiError } from '../../../shared/errors';
import { fsyncTree } from '../files/durable';
import type { ScratchJournal } from '../files/journal';
import { scratchSibling, tempFolderPrefix } from '../files/scratchNames';
import { writeZipBundle } from './bundle';
import { assertExportTarget } from './outputFolder';
import { placeExport } from './placeExport';
import {
  describeFiles,
  layerSparsity,
  METADATA_FILE,
  sha256File,
  writeMetadata,
  type ExportMetadata,
} from './metadata';
import { PIXEL_SCALING, predictLogits } from './modelInput';
import { writeOnnxModel, type Producer } from './onnxWriter';
import { checkParity, type ParityImages } from './parity';
import { exportReadme, README_FILE } from './readme';
import { measureWrittenModel, sizeTable } from './sizeTruth';
import { loadSnapshotInto, snapshotModel, type ModelSnapshot } from './snapshot';
import { writeTfjsModel, type WrittenModel } from './tfjsWriter';

export interface ExportModelOptions {
  /** the model to export; its weights are overwritten with the masked values */
  model: tf.LayersModel;
  masks: ReadonlyMap<string, tf.Tensor> | null;
  /** the dense parent for the size comparison; null = this model without its masks */
  denseModel: tf.LayersModel | null;
  format: ExportFormat;
  encoding: WeightEncoding;
  outDir: string;
  zip: boolean;
  /** replace an earlier PruneLab export (and its zip) at outDir; anything else is never replaced */
  overwrite?: boolean;
  /** notes the scratch written beside outDir, so a start after a crash can remove it */
  journal?: ScratchJournal;
  classes: string[];
  /** [height, width, channels] */
  inputShape: [number, number, number];
  resizeMode: ResizeMode;
  runId: string;
  runConfig: RunConfig | null;
  appVersion: string;
  /** up to 1,000 test images, already scaled as the model expects */
  parityImages: ParityImages;
  signal?: AbortSignal;
  onProgress?: (phase: string, done: number, total: number, message: string) => void;
  now?: () => Date;
}

export interface ExportOutcome {
  path: string;
  zipPath: string | null;
  /** files of the export folder, metadata.json last */
  files: string[];
  bytes: number;
  gzipBytes: number;
  /** sha256 of metadata.json, which in turn pins the sha256 of every other file */
  sha256: string;
  sizes: SizeTable;
  parity: ParityResult;
}

const STEPS = ['write', 'sizes', 'parity', 'finish'] as const;
// The detail shown after the stage's words (src/shared/stages.ts: "writing the model files… TF.js …").
const STEP_MESSAGES: Record<(typeof STEPS)[number], (o: ExportModelOptions) => string> = {
  write: (o) => `${o.format === 'tfjs' ? 'TF.js LayersModel' : 'ONNX'}, ${o.encoding}`,
  sizes: () => 'the files and the dense parent',
  parity: (o) =>
    `${o.parityImages.count} images in a fresh ${o.format === 'tfjs' ? 'tfjs' : 'onnxruntime'} process`,
  finish: () => 'with the sha256 of every file',
};

/**
 * Writes one export all-or-nothing: model files, README and metadata.json go to a sibling scratch
 * folder that takes `outDir`'s place only once the parity check has passed, so a failed or cancelled
 * export leaves the previous one (or nothing) in place. What is at outDir (and `<outDir>.zip`) is
 * checked before any work and again at the moment of replacement (placeExport): only an export of ours,
 * and only with `overwrite`, is ever replaced. A float32 export that does not predict like the app, or
 * any export that does not load, throws an ApiError with code PARITY_FAILED.
 */
export async function exportModel(o: ExportModelOptions): Promise<ExportOutcome> {
  const progress = (step: (typeof STEPS)[number]) =>
    o.onProgress?.(step, STEPS.indexOf(step), STEPS.length, STEP_MESSAGES[step](o));
  const overwrite = o.overwrite ?? false;
  const zipPath = o.zip ? `${o.outDir}.zip` : null;
  await assertExportTarget({ outDir: o.outDir, zipPath, overwrite });
  await mkdir(dirname(o.outDir), { recursive: true });
  const track = o.journal ? o.journal.track : async () => async () => undefined;
  const work = scratchSibling(o.outDir, 'partial');
  const zipTmp = zipPath ? scratchSibling(zipPath, 'partial') : null;
  const releaseWork = await track(work, 'folder');
  const releaseZip = zipTmp ? await track(zipTmp, 'file') : null;
  await mkdir(work);
  try {
    progress('write');
    const producer: Producer = {
      name: 'PruneLab',
      version: o.appVersion,
      metadata: {
        classes: JSON.stringify(o.classes),
        output: 'logits',
        pixel_scaling: PIXEL_SCALING.formula,
        input_layout: o.format === 'tfjs' ? 'NHWC' : 'NCHW',
        run_id: o.runId,
      },
    };
    const snapshot = await snapshotModel(o.model, o.masks);
    const written = await writeModelFiles(o.model, snapshot, o.format, o.encoding, work, producer);
    await writeFile(join(work, README_FILE), exportReadme({ ...o, pixelScaling: PIXEL_SCALING }));
    o.signal?.throwIfAborted();

    progress('sizes');
    const exported = await measureWrittenModel(work, written);
    const dense = await measureDenseParent(o.denseModel ?? o.model, o.format, producer);
    const sizes = sizeTable(exported, dense);
    o.signal?.throwIfAborted();

    progress('parity');
    loadSnapshotInto(o.model, snapshot);
    const expected = predictLogits(o.model, o.parityImages.images, [
      o.parityImages.height,
      o.parityImages.width,
      o.parityImages.channels,
    ]);
    const parity = await checkParity({
      format: o.format,
      encoding: o.encoding,
      artifactDir: work,
      inputs: o.parityImages,
      expectedLogits: expected,
      classes: o.classes.length,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (!parity.ok && (o.encoding === 'float32' || !Number.isFinite(parity.maxAbsLogitDelta))) {
      throw new ApiError({
        code: 'PARITY_FAILED',
        message: `PARITY_FAILED: ${parity.message ?? 'the export does not predict like the app'}`,
        details: parity,
      });
    }

    progress('finish');
    const files = [...written.files, README_FILE];
    const { layers, sparsity } = layerSparsity(snapshot.weights);
    const metadata: ExportMetadata = {
      schema: 'prunelab-export/1',
      format: o.format,
      encoding: o.encoding,
      model: modelDescription(o.format, o.inputShape, o.classes.length),
      classes: o.classes,
      inputShape: o.inputShape,
      channelOrder: o.inputShape[2] === 1 ? 'grayscale' : 'RGB',
      resizeMode: o.resizeMode,
      pixelScaling: PIXEL_SCALING,
      sparsity,
      layers,
      runId: o.runId,
      runConfig: o.runConfig,
      appVersion: o.appVersion,
      createdAt: (o.now ?? (() => new Date()))().toISOString(),
      sizes,
      parity,
      files: await describeFiles(work, files),
    };
    await writeMetadata(work, metadata);
    await fsyncTree(work);
    if (zipPath && zipTmp) await writeZipBundle(work, [...files, METADATA_FILE], zipTmp);
    o.signal?.throwIfAborted();
    await placeExport({
      work,
      outDir: o.outDir,
      zip: zipPath && zipTmp ? { tmp: zipTmp, path: zipPath } : null,
      overwrite,
      ...(o.journal ? { journal: o.journal } : {}),
    });
    return {
      path: o.outDir,
      zipPath,
      files: [...files, METADATA_FILE],
      bytes: exported.rawBytes,
      gzipBytes: exported.gzipBytes,
      sha256: await sha256File(join(o.outDir, METADATA_FILE)),
      sizes,
      parity,
    };
  } finally {
    // Both are gone already when the export was placed; after a failure they are removed here.
    await rm(work, { recursive: true, force: true });
    if (zipTmp) await rm(zipTmp, { force: true });
    await releaseWork();
    await releaseZip?.();
  }
}

function writeModelFiles(
  model: tf.LayersModel,
  snapshot: ModelSnapshot,
  format: ExportFormat,
  encoding: WeightEncoding,
  dir: string,
  producer: Producer,
): Promise<WrittenModel> {
  return format === 'tfjs'
    ? writeTfjsModel(snapshot, encoding, dir, `${producer.name} ${producer.version}`, producer.metadata)
    : writeOnnxModel(model, snapshot.weights, encoding, dir, producer);
}

/** The dense parent written as a float32 export of the same format, measured, then thrown away. */
async function measureDenseParent(model: tf.LayersModel, format: ExportFormat, producer: Producer) {
  const dir = await mkdtemp(join(tmpdir(), tempFolderPrefix('dense')));
  try {
    const snapshot = await snapshotModel(model, null);
    const written = await writeModelFiles(model, snapshot, format, 'float32', dir, producer);
    return await measureWrittenModel(dir, written);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function modelDescription(
  format: ExportFormat,
  [h, w, c]: [number, number, number],
  classes: number,
): ExportMetadata['model'] {
  return format === 'tfjs'
    ? {
        file: 'model.json',
        input: { name: null, layout: 'NHWC', shape: [null, h, w, c], dtype: 'float32' },
        output: { name: null, kind: 'logits', classes },
      }
    : {
        file: 'model.onnx',
        input: { name: 'input', layout: 'NCHW', shape: [null, c, h, w], dtype: 'float32' },
        output: { name: 'logits', kind: 'logits', classes },
      };
}
