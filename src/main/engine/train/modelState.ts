import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendInfo, PresetName, TrainConfig } from '../../../shared/dto';
import { writeDirAtomically } from './atomicDir';
import { packTensors, unpackTensor, type TensorEntry } from './tensorPack';

/** What a saved model is; everything a later step (prune, export, evaluate) needs besides weights. */
export interface ModelMeta {
  preset: PresetName;
  /** [height, width, channels] */
  inputShape: [number, number, number];
  classes: string[];
  runId: string;
  /** The model outputs logits (no softmax layer); kept explicit so readers never have to guess. */
  output: 'logits';
  trainConfig?: TrainConfig;
  backend?: BackendInfo;
  epochsCompleted?: number;
  /** Free-form facts other steps add (e.g. prune settings); must be JSON. */
  extra?: Record<string, unknown>;
}

/**
 * Masks are keyed by a weight's `originalName` (e.g. 'conv1/kernel'): tfjs suffixes `name` with _1, _2…
 * whenever a model with the same layer names is built again in one process, so only originalName is stable.
 */
export type WeightMasks = Map<string, tf.Tensor>;

interface Manifest {
  format: 'prunelab-model-state';
  version: 1;
  meta: ModelMeta;
  topology: unknown;
  weights: TensorEntry[];
  masks: TensorEntry[] | null;
}

const manifestFile = 'model.json';
const weightsFile = 'weights.bin';
const masksFile = 'masks.bin';

export function weightKey(weight: tf.LayerVariable): string {
  return weight.originalName;
}

/**
 * Saves topology (model.toJSON, so structurally shrunk models round-trip), every weight (trainable and
 * not, e.g. batch-norm moving statistics), optional pruning masks and meta into `dir`, atomically.
 */
export async function saveModelState(
  dir: string,
  state: { model: tf.LayersModel; masks?: WeightMasks | null; meta: ModelMeta },
): Promise<void> {
  const { model, masks, meta } = state;
  const named = model.weights.map((w) => ({ name: weightKey(w), tensor: w.read() }));
  const weights = await packTensors(named);
  const packedMasks = masks
    ? await packTensors([...masks].map(([name, tensor]) => ({ name, tensor })))
    : null;
  const manifest: Manifest = {
    format: 'prunelab-model-state',
    version: 1,
    meta,
    topology: model.toJSON(null, false),
    weights: weights.entries,
    masks: packedMasks?.entries ?? null,
  };
  await writeDirAtomically(dir, async (tmp) => {
    await writeFile(join(tmp, weightsFile), weights.data);
    if (packedMasks) await writeFile(join(tmp, masksFile), packedMasks.data);
    await writeFile(join(tmp, manifestFile), JSON.stringify(manifest));
  });
}

export async function loadModelState(
  dir: string,
): Promise<{ model: tf.LayersModel; masks: WeightMasks | null; meta: ModelMeta }> {
  const manifest = await readManifest(dir);
  const model = await tf.models.modelFromJSON({
    modelTopology: manifest.topology as tf.io.ModelJSON['modelTopology'],
  });
  try {
    const data = await readFile(join(dir, weightsFile));
    const byName = new Map(manifest.weights.map((e) => [e.name, e]));
    for (const weight of model.weights) {
      const entry = byName.get(weightKey(weight));
      if (!entry) throw new Error(`Model state in ${dir} has no values for weight ${weightKey(weight)}.`);
      if (entry.shape.join(',') !== weight.shape.join(',')) {
        throw new Error(
          `Model state in ${dir}: weight ${entry.name} has shape [${entry.shape}] but the topology needs [${weight.shape}].`,
        );
      }
      const values = unpackTensor(data, entry, `Model state in ${dir}`);
      weight.write(values);
      values.dispose();
    }
    let masks: WeightMasks | null = null;
    if (manifest.masks) {
      const maskData = await readFile(join(dir, masksFile));
      masks = new Map(
        manifest.masks.map((e) => [e.name, unpackTensor(maskData, e, `Model state in ${dir}`)]),
      );
    }
    return { model, masks, meta: manifest.meta };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Reads only the meta of a saved model (cheap: no tensors). */
export async function readModelMeta(dir: string): Promise<ModelMeta> {
  return (await readManifest(dir)).meta;
}

async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, manifestFile), 'utf8');
  } catch (error) {
    throw new Error(`No saved model in ${dir} (${(error as Error).message.split('\n')[0]}).`);
  }
  const manifest = JSON.parse(text) as Partial<Manifest>;
  if (
    manifest.format !== 'prunelab-model-state' ||
    manifest.version !== 1 ||
    !Array.isArray(manifest.weights)
  ) {
    throw new Error(`${join(dir, manifestFile)} is not a PruneLab model state this version can read.`);
  }
  return manifest as Manifest;
}
