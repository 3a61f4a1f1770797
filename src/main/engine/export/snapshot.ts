import * as tf from '@tensorflow/tfjs';

/** One weight as the exporters see it: tfjs's own saved name, its shape, and float32 values. */
export interface NamedWeight {
  /** the name tfjs's save()/load() use, e.g. 'conv1/kernel' */
  name: string;
  layerName: string;
  shape: number[];
  values: Float32Array;
}

/** A model frozen into plain data: the Keras topology JSON plus every weight with its mask applied. */
export interface ModelSnapshot {
  modelTopology: object;
  weights: NamedWeight[];
}

/**
 * Captures the model exactly as tfjs would save it (same topology, same weight names and order) and
 * bakes the masks in, so a pruned weight is a stored zero rather than a promise to zero it later.
 * A mask may be keyed by the weight's name ('conv1/kernel') or by its layer's name ('conv1', meaning
 * that layer's kernel); a mask that matches no weight, or has the wrong shape, is an error.
 */
export async function snapshotModel(
  model: tf.LayersModel,
  masks: ReadonlyMap<string, tf.Tensor> | null,
): Promise<ModelSnapshot> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = saved as tf.io.ModelArtifacts | null;
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || !artifacts.weightData) {
    throw new Error('The model could not be serialised: tfjs returned no topology or weights.');
  }
  const data = joinWeightData(artifacts.weightData);
  const unusedMasks = new Set(masks?.keys() ?? []);
  const weights: NamedWeight[] = [];
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    if (spec.dtype !== 'float32')
      throw new Error(`Weight ${spec.name} has dtype ${spec.dtype}; only float32 is exported.`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.slice(offset, offset + size * 4));
    offset += size * 4;
    const layerName = spec.name.includes('/') ? spec.name.slice(0, spec.name.lastIndexOf('/')) : spec.name;
    const maskKey = findMaskKey(masks, spec.name, layerName);
    if (masks && maskKey !== null) {
      applyMask(values, spec.shape, masks.get(maskKey) as tf.Tensor, spec.name);
      unusedMasks.delete(maskKey);
    }
    weights.push({ name: spec.name, layerName, shape: [...spec.shape], values });
  }
  if (unusedMasks.size > 0) {
    throw new Error(
      `Masks [${[...unusedMasks].join(', ')}] match no weight of the model; refusing to export without them.`,
    );
  }
  return { modelTopology: artifacts.modelTopology as object, weights };
}

function joinWeightData(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

function findMaskKey(
  masks: ReadonlyMap<string, tf.Tensor> | null,
  weightName: string,
  layerName: string,
): string | null {
  if (!masks) return null;
  if (masks.has(weightName)) return weightName;
  if (weightName.endsWith('/kernel') && masks.has(layerName)) return layerName;
  return null;
}

function applyMask(values: Float32Array, shape: number[], mask: tf.Tensor, name: string): void {
  if (mask.shape.length !== shape.length || mask.shape.some((d, i) => d !== shape[i])) {
    throw new Error(
      `Mask for ${name} has shape [${mask.shape.join(', ')}] but the weight is [${shape.join(', ')}].`,
    );
  }
  const keep = mask.dataSync();
  for (let i = 0; i < values.length; i++) if (keep[i] === 0) values[i] = 0;
}

export function countParameters(snapshot: ModelSnapshot): number {
  return snapshot.weights.reduce((n, w) => n + w.values.length, 0);
}

/**
 * Writes the snapshot's (masked) values back into the model, so the app's own predictions are made
 * with the masks in force — the model the export claims to be.
 */
export function loadSnapshotInto(model: tf.LayersModel, snapshot: ModelSnapshot): void {
  const byName = new Map(snapshot.weights.map((w) => [w.name, w]));
  for (const variable of model.weights) {
    const weight = byName.get(variable.originalName);
    if (!weight) throw new Error(`The snapshot has no values for weight ${variable.originalName}.`);
    const values = tf.tensor(weight.values, weight.shape, 'float32');
    variable.write(values);
    values.dispose();
  }
}
