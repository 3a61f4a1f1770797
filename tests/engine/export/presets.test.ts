import * as tf from '@tensorflow/tfjs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PresetName } from '../../../src/shared/dto';
import { exportModel, type ExportModelOptions } from '../../../src/main/engine/export/exportModel';
import { createPreset } from '../../../src/main/engine/models';
import { shrinkModel } from '../../../src/main/engine/prune/structured/shrink';
import { magnitudeMasks, parityImages, withTempDir } from './fixtures';

// The real presets, pruned, through the whole export in both formats: every layer kind they use must
// map to ONNX and survive a fresh process. Inputs are tiny (the presets' minimum sizes) to stay cheap.

let tensorsBefore = 0;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

const cases: [PresetName, [number, number, number]][] = [
  ['keras-cifar-cnn', [18, 18, 3]],
  ['lenet5', [12, 12, 1]],
  ['vgg-bn', [8, 8, 3]],
];

function baseOptions(
  model: tf.LayersModel,
  masks: Map<string, tf.Tensor> | null,
  shape: [number, number, number],
  outDir: string,
): ExportModelOptions {
  return {
    model,
    masks,
    denseModel: null,
    format: 'tfjs',
    encoding: 'float32',
    outDir,
    zip: false,
    classes: ['a', 'b', 'c'],
    inputShape: shape,
    resizeMode: 'pad',
    runId: 'r',
    runConfig: null,
    appVersion: 't',
    parityImages: parityImages(12, shape),
  };
}

describe.each(cases)('%s', (preset, shape) => {
  it.each(['tfjs', 'onnx'] as const)('exports pruned to %s float32 with exact parity', async (format) => {
    const model = createPreset(preset, { inputShape: shape, classes: 3, seed: 2 });
    // Batch norm fresh from init is the identity; move its statistics so the ONNX mapping is tested.
    for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      const values = layer.getWeights().map((w, i) => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i + 1));
      layer.setWeights(values);
      tf.dispose(values);
    }
    const masks = magnitudeMasks(model, 0.6);
    try {
      await withTempDir(async (root) => {
        const result = await exportModel({ ...baseOptions(model, masks, shape, join(root, 'out')), format });
        expect(result.parity.ok).toBe(true);
        expect(result.parity.maxAbsLogitDelta).toBeLessThanOrEqual(1e-4);
        expect(result.sizes.export.nonzeroParameters).toBeLessThan(result.sizes.dense.nonzeroParameters);
      });
    } finally {
      tf.dispose([...masks.values()]);
      model.dispose();
    }
  });
});

describe('structured (physically smaller) models', () => {
  it.each(['tfjs', 'onnx'] as const)(
    'a vgg-bn shrunk by the prune engine exports its own smaller shapes to %s',
    async (format) => {
      const full = createPreset('vgg-bn', { inputShape: [8, 8, 3], classes: 3, seed: 2 });
      // Keep every other filter/unit of each hidden layer, as structured pruning at 50% would.
      const keepUnits = new Map<string, number[]>();
      for (const layer of full.layers) {
        const kind = layer.getClassName();
        if ((kind === 'Conv2D' || kind === 'Dense') && layer.name !== 'logits') {
          const units = (layer.getConfig().filters ?? layer.getConfig().units) as number;
          keepUnits.set(
            layer.name,
            Array.from({ length: units }, (_, i) => i).filter((i) => i % 2 === 0),
          );
        }
      }
      const shrunk = await shrinkModel(full, keepUnits);
      try {
        await withTempDir(async (root) => {
          const result = await exportModel({
            ...baseOptions(shrunk, null, [8, 8, 3], join(root, 'out')),
            denseModel: full,
            format,
          });
          expect(result.parity.ok).toBe(true);
          expect(result.parity.maxAbsLogitDelta).toBeLessThanOrEqual(1e-4);
          expect(result.sizes.export.parameters).toBe(shrunk.countParams());
          expect(result.sizes.dense.parameters).toBe(full.countParams());
          expect(result.sizes.ratios.raw).toBeGreaterThan(2.5);
          if (format === 'tfjs') {
            const json = JSON.parse(await readFile(join(root, 'out', 'model.json'), 'utf8'));
            const conv1 = json.weightsManifest[0].weights.find(
              (w: { name: string }) => w.name === 'conv1/kernel',
            );
            expect(conv1.shape).toEqual([3, 3, 3, 16]);
          }
        });
      } finally {
        shrunk.dispose();
        full.dispose();
      }
    },
  );
});

/** A layer only this process knows: stock tfjs elsewhere cannot deserialise it. */
class ScaleByTwo extends tf.layers.Layer {
  static readonly className = 'PruneLabScaleByTwo';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs, 2));
  }
}
tf.serialization.registerClass(ScaleByTwo);

const modelWithCustomLayer = () =>
  tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [4, 4, 1], name: 'flatten' }),
      new ScaleByTwo({ name: 'custom' }),
      tf.layers.dense({ name: 'logits', units: 3 }),
    ],
  });

describe('an export other tools cannot load', () => {
  it('fails with PARITY_FAILED and leaves nothing behind', async () => {
    const model = modelWithCustomLayer();
    try {
      await withTempDir(async (root) => {
        const run = exportModel(baseOptions(model, null, [4, 4, 1], join(root, 'out')));
        await expect(run).rejects.toMatchObject({
          code: 'PARITY_FAILED',
          message: expect.stringMatching(/failed to run in a fresh tfjs process.*PruneLabScaleByTwo/s),
        });
        expect(await readdir(root)).toEqual([]);
      });
    } finally {
      model.dispose();
    }
  });

  it('refuses ONNX for a layer it cannot map, naming it', async () => {
    const model = modelWithCustomLayer();
    try {
      await withTempDir(async (root) => {
        await expect(
          exportModel({ ...baseOptions(model, null, [4, 4, 1], join(root, 'out')), format: 'onnx' }),
        ).rejects.toThrow(/custom of kind PruneLabScaleByTwo/);
        expect(await readdir(root)).toEqual([]);
      });
    } finally {
      model.dispose();
    }
  });
});
