import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportModelOptions } from '../../../src/main/engine/export/exportModel';
import type { ParityImages } from '../../../src/main/engine/export/parity';

/**
 * The presets' layer kinds in one small model: 'same' and strided convolutions, batch norm with
 * non-trivial statistics, both poolings, flatten of a non-square map, dropout, dense. The input is
 * 10×8 so a height/width mix-up in the ONNX layout cannot pass by symmetry.
 */
export function buildMixedModel(seed = 1, classes = 4): tf.Sequential {
  const init = (i: number) => tf.initializers.glorotUniform({ seed: seed * 100 + i });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        name: 'conv1',
        inputShape: [10, 8, 3],
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(0),
      }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tf.layers.conv2d({
        name: 'conv2',
        filters: 8,
        kernelSize: [3, 2],
        strides: 1,
        padding: 'valid',
        kernelInitializer: init(1),
      }),
      tf.layers.activation({ name: 'relu2', activation: 'relu' }),
      tf.layers.averagePooling2d({ name: 'pool2', poolSize: 2, padding: 'same' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dropout({ name: 'drop', rate: 0.5 }),
      tf.layers.dense({ name: 'dense1', units: 12, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.dense({ name: 'logits', units: classes, kernelInitializer: init(3) }),
    ],
  });
  // Fresh batch norm is the identity; give it statistics so a wrong ONNX mapping would show.
  const bn = model.getLayer('bn1');
  const n = 6; // conv1's filters
  const values = [
    tf.randomUniform([n], 0.5, 1.5, 'float32', seed + 1),
    tf.randomUniform([n], -0.3, 0.3, 'float32', seed + 2),
    tf.randomUniform([n], -0.2, 0.2, 'float32', seed + 3),
    tf.randomUniform([n], 0.5, 2, 'float32', seed + 4),
  ];
  bn.setWeights(values);
  tf.dispose(values);
  return model;
}

/** A conv → flatten → dense model: the case where NHWC vs NCHW flatten order decides everything. */
export function buildConvFlattenDense(seed = 3): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        name: 'conv1',
        inputShape: [5, 7, 2],
        filters: 3,
        kernelSize: 2,
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({
        name: 'logits',
        units: 5,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
}

/** Deterministic pseudo-images scaled to 0…1, as the app feeds them. */
export function parityImages(
  count: number,
  [height, width, channels]: [number, number, number],
  seed = 7,
): ParityImages {
  const images = tf.tidy(
    () =>
      tf.randomUniform([count, height, width, channels], 0, 1, 'float32', seed).dataSync() as Float32Array,
  );
  return { images, count, height, width, channels };
}

/** Magnitude masks (1 = keep) for every kernel at the given sparsity, keyed by weight originalName. */
export function magnitudeMasks(model: tf.LayersModel, sparsity: number): Map<string, tf.Tensor> {
  const masks = new Map<string, tf.Tensor>();
  for (const w of model.weights) {
    if (!w.originalName.endsWith('/kernel')) continue;
    const values = w.read().dataSync() as Float32Array;
    const sorted = Float32Array.from(values, Math.abs).sort();
    const threshold = sorted[Math.floor(sparsity * sorted.length)] as number;
    // Built from a Float32Array on purpose: tf.cast(bool → float32) on the cpu backend keeps uint8 storage.
    masks.set(
      w.originalName,
      tf.tensor(
        Float32Array.from(values, (v) => (Math.abs(v) >= threshold ? 1 : 0)),
        w.shape as number[],
      ),
    );
  }
  return masks;
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'prunelab-export-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Export options for a buildMixedModel() model (10×8×3, four classes): a tfjs float32 export, no zip. */
export function exportOptions(
  model: tf.LayersModel,
  outDir: string,
  over: Partial<ExportModelOptions> = {},
): ExportModelOptions {
  return {
    model,
    masks: null,
    denseModel: null,
    format: 'tfjs',
    encoding: 'float32',
    outDir,
    zip: false,
    classes: ['cat', 'dog', 'emu', 'fox'],
    inputShape: [10, 8, 3],
    resizeMode: 'crop',
    runId: 'run-1',
    runConfig: null,
    appVersion: '0.1.0-test',
    parityImages: parityImages(8, [10, 8, 3]),
    ...over,
  };
}
