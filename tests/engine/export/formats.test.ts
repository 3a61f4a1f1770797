import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WeightEncoding } from '../../../src/shared/dto';
import { predictLogits } from '../../../src/main/engine/export/modelInput';
import { writeOnnxModel } from '../../../src/main/engine/export/onnxWriter';
import { checkParity, FLOAT32_MAX_LOGIT_DELTA } from '../../../src/main/engine/export/parity';
import { snapshotModel } from '../../../src/main/engine/export/snapshot';
import { writeTfjsModel } from '../../../src/main/engine/export/tfjsWriter';
import {
  buildConvFlattenDense,
  buildMixedModel,
  magnitudeMasks,
  parityImages,
  withTempDir,
} from './fixtures';

// Every format × encoding is written, then loaded in a separate Node process by stock tfjs (over
// loopback HTTP) or onnxruntime-node, and its logits compared with this process's tfjs.

const encodings: WeightEncoding[] = ['float32', 'float16', 'uint8'];
let model: tf.Sequential;
let tensorsBefore = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = buildMixedModel();
});
afterAll(() => model.dispose());
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe.each(['tfjs', 'onnx'] as const)('%s export in a fresh process', (format) => {
  it.each(encodings)('%s weights load and predict like the app', async (encoding) => {
    await withTempDir(async (dir) => {
      const snapshot = await snapshotModel(model, null);
      if (format === 'tfjs') await writeTfjsModel(snapshot, encoding, dir, 'test');
      else await writeOnnxModel(model, snapshot.weights, encoding, dir, { name: 'test', version: '0' });
      const inputs = parityImages(40, [10, 8, 3]);
      const expected = predictLogits(model, inputs.images, [10, 8, 3]);
      const parity = await checkParity({
        format,
        encoding,
        artifactDir: dir,
        inputs,
        expectedLogits: expected,
        classes: 4,
      });
      expect(parity.runtime).toBe(format === 'tfjs' ? 'tfjs' : 'onnxruntime');
      expect(parity.images).toBe(40);
      if (encoding === 'float32') {
        expect(parity.ok).toBe(true);
        expect(parity.maxAbsLogitDelta).toBeLessThanOrEqual(FLOAT32_MAX_LOGIT_DELTA);
        expect(parity.top1Agreement).toBe(1);
      } else {
        // Quantized weights really changed the numbers, yet predictions still agree.
        expect(parity.maxAbsLogitDelta).toBeGreaterThan(0);
        expect(parity.maxAbsLogitDelta).toBeLessThan(encoding === 'float16' ? 0.01 : 0.2);
        expect(parity.top1Agreement).toBeGreaterThanOrEqual(0.9);
        expect(parity.ok).toBe(true);
      }
    });
  });
});

describe('tfjs manifest', () => {
  it('stores float16 and uint8 weights in the manifest quantization format, kernels only for uint8', async () => {
    await withTempDir(async (dir) => {
      const snapshot = await snapshotModel(model, null);
      await writeTfjsModel(snapshot, 'uint8', dir, 'test');
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      const entries = json.weightsManifest[0].weights as {
        name: string;
        quantization?: { dtype: string; scale: number; min: number };
      }[];
      const kernel = entries.find((e) => e.name === 'conv1/kernel');
      const bias = entries.find((e) => e.name === 'conv1/bias');
      expect(kernel?.quantization?.dtype).toBe('uint8');
      expect(kernel?.quantization?.scale).toBeGreaterThan(0);
      expect(bias?.quantization).toBeUndefined();
      const shard = await readFile(join(dir, json.weightsManifest[0].paths[0]));
      const floatCount = snapshot.weights.reduce(
        (n, w) => n + (w.shape.length >= 2 ? 0 : w.values.length),
        0,
      );
      const kernelCount = snapshot.weights.reduce(
        (n, w) => n + (w.shape.length >= 2 ? w.values.length : 0),
        0,
      );
      expect(shard.length).toBe(kernelCount + 4 * floatCount);
    });
  });
});

describe('masks', () => {
  it('bakes masks into the stored weights, and the fresh-process model predicts with them', async () => {
    await withTempDir(async (dir) => {
      const masks = magnitudeMasks(model, 0.7);
      try {
        const snapshot = await snapshotModel(model, masks);
        const kernel = snapshot.weights.find((w) => w.name === 'dense1/kernel');
        const keep = masks.get('dense1/kernel')?.dataSync() as Float32Array;
        const zeros = (kernel?.values ?? []).filter((v) => v === 0).length;
        expect(zeros).toBe(keep.filter((k) => k === 0).length);
        await writeTfjsModel(snapshot, 'float32', dir, 'test');
        // The app's logits with the masks applied by tfjs itself, independently of the snapshot code.
        const masked = buildMixedModel();
        const maskedWeights = tf.tidy(() =>
          model.weights.map((w) => {
            const m = masks.get(w.originalName);
            return m ? tf.mul(w.read(), m) : w.read().clone();
          }),
        );
        masked.setWeights(maskedWeights);
        tf.dispose(maskedWeights);
        const inputs = parityImages(20, [10, 8, 3]);
        const expected = predictLogits(masked, inputs.images, [10, 8, 3]);
        const unmasked = predictLogits(model, inputs.images, [10, 8, 3]);
        masked.dispose();
        const parity = await checkParity({
          format: 'tfjs',
          encoding: 'float32',
          artifactDir: dir,
          inputs,
          expectedLogits: expected,
          classes: 4,
        });
        expect(parity.ok).toBe(true);
        // …and it would have failed against the unmasked model: the masks really are in the file.
        const against = await checkParity({
          format: 'tfjs',
          encoding: 'float32',
          artifactDir: dir,
          inputs,
          expectedLogits: unmasked,
          classes: 4,
        });
        expect(against.ok).toBe(false);
      } finally {
        tf.dispose([...masks.values()]);
      }
    });
  });

  it('refuses a mask that matches no weight', async () => {
    const stray = new Map([['nope/kernel', tf.ones([2, 2])]]);
    await expect(snapshotModel(model, stray)).rejects.toThrow(/nope\/kernel/);
    tf.dispose([...stray.values()]);
  });
});

describe('ONNX layout', () => {
  it('conv → flatten → dense matches tfjs within 1e-4 (flatten order permuted into the dense kernel)', async () => {
    const small = buildConvFlattenDense();
    try {
      await withTempDir(async (dir) => {
        const snapshot = await snapshotModel(small, null);
        await writeOnnxModel(small, snapshot.weights, 'float32', dir, { name: 'test', version: '0' });
        const inputs = parityImages(16, [5, 7, 2], 11);
        const expected = predictLogits(small, inputs.images, [5, 7, 2]);
        const parity = await checkParity({
          format: 'onnx',
          encoding: 'float32',
          artifactDir: dir,
          inputs,
          expectedLogits: expected,
          classes: 5,
        });
        expect(parity.maxAbsLogitDelta).toBeLessThanOrEqual(1e-4);
        expect(parity.top1Agreement).toBe(1);
      });
    } finally {
      small.dispose();
    }
  });
});
