import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { WeightEncoding } from '../../../shared/dto';
import { encodeWeight, type EncodedWeight } from './encodeWeights';
import type { ModelSnapshot } from './snapshot';

/** The tfjs converter's default shard size: small enough for browsers to cache each file. */
export const SHARD_BYTES = 4 * 1024 * 1024;

export interface WrittenModel {
  /** file names inside the output directory, model entry point first */
  files: string[];
  /** the weights as stored, for the size accounting */
  encoded: EncodedWeight[];
  /** the bytes that describe the graph without its weight values (for the sparse-size estimate) */
  topologyBytes: Uint8Array;
}

/**
 * Writes a tfjs LayersModel (model.json + binary shards) in the exact layout `tf.loadLayersModel`
 * reads: float16 and uint8 weights carry the manifest's own `quantization` entry, so stock tfjs
 * dequantises them on load and needs nothing from PruneLab.
 */
export async function writeTfjsModel(
  snapshot: ModelSnapshot,
  encoding: WeightEncoding,
  outDir: string,
  producer: string,
  userDefinedMetadata?: Record<string, string>,
): Promise<WrittenModel> {
  const encoded = snapshot.weights.map((w) => encodeWeight(w, encoding));
  const weights = encoded.map(manifestEntry);
  const data = concatBytes(encoded.map((e) => e.bytes));
  const shardCount = Math.max(1, Math.ceil(data.length / SHARD_BYTES));
  const paths: string[] = [];
  for (let s = 0; s < shardCount; s++) {
    const name = `group1-shard${s + 1}of${shardCount}.bin`;
    paths.push(name);
    await writeFile(join(outDir, name), data.subarray(s * SHARD_BYTES, (s + 1) * SHARD_BYTES));
  }
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: producer,
    modelTopology: snapshot.modelTopology,
    weightsManifest: [{ paths, weights }],
    // tfjs hands this back as model.getUserDefinedMetadata() after loadLayersModel.
    ...(userDefinedMetadata ? { userDefinedMetadata } : {}),
  };
  const text = JSON.stringify(modelJson);
  await writeFile(join(outDir, 'model.json'), text);
  // model.json holds no weight values, so all of it is topology.
  return { files: ['model.json', ...paths], encoded, topologyBytes: new TextEncoder().encode(text) };
}

function manifestEntry(e: EncodedWeight): tf.io.WeightsManifestEntry {
  const base = { name: e.name, shape: e.shape, dtype: 'float32' as const };
  if (e.kind === 'float16') return { ...base, quantization: { dtype: 'float16' } };
  if (e.kind === 'uint8' && e.quant) {
    return { ...base, quantization: { dtype: 'uint8', scale: e.quant.scale, min: e.quant.min } };
  }
  return base;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
