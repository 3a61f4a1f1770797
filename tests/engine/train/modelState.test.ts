import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreset } from '../../../src/main/engine/models';
import {
  loadModelState,
  readModelMeta,
  saveModelState,
  type ModelMeta,
} from '../../../src/main/engine/train/modelState';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'prunelab-modelstate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const meta = (preset: ModelMeta['preset']): ModelMeta => ({
  preset,
  inputShape: [12, 12, 1],
  classes: ['a', 'b', 'c'],
  runId: 'run-1',
  output: 'logits',
});

describe('model state', () => {
  it('round-trips every weight, including batch-norm statistics, and so the predictions', async () => {
    const before = tf.memory().numTensors;
    const model = createPreset('vgg-bn', { inputShape: [12, 12, 1], classes: 3, seed: 5 });
    // give the non-trainable moving statistics values a fresh model would not have
    for (const w of model.weights) {
      if (w.trainable) continue;
      const values = tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', 9);
      w.write(values);
      values.dispose();
    }
    const x = tf.randomUniform([4, 12, 12, 1], 0, 1, 'float32', 3);
    const expected = model.predict(x) as tf.Tensor;
    const mask = tf.tensor2d([1, 0, 1, 1], [2, 2]);
    await saveModelState(join(dir, 'vgg'), {
      model,
      masks: new Map([['conv1/kernel', mask]]),
      meta: meta('vgg-bn'),
    });

    const loaded = await loadModelState(join(dir, 'vgg'));
    const actual = loaded.model.predict(x) as tf.Tensor;
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(loaded.meta).toEqual(meta('vgg-bn'));
    expect([...loaded.masks!.keys()]).toEqual(['conv1/kernel']);
    expect(Array.from(loaded.masks!.get('conv1/kernel')!.dataSync())).toEqual([1, 0, 1, 1]);
    expect(await readModelMeta(join(dir, 'vgg'))).toEqual(meta('vgg-bn'));
    // no half-written temporary directory is left behind
    expect((await readdir(dir)).filter((n) => n.includes('partial'))).toEqual([]);

    [x, expected, mask, actual, ...loaded.masks!.values()].forEach((t) => t.dispose());
    model.dispose();
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('round-trips a structurally shrunk model: the topology comes from the file, not the preset', async () => {
    const shrunk = tf.sequential({
      layers: [
        tf.layers.conv2d({
          name: 'conv1',
          inputShape: [12, 12, 1],
          filters: 5,
          kernelSize: 3,
          activation: 'relu',
        }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dense({ name: 'logits', units: 3 }),
      ],
    });
    await saveModelState(join(dir, 'shrunk'), { model: shrunk, meta: meta('keras-cifar-cnn') });
    const loaded = await loadModelState(join(dir, 'shrunk'));
    expect(loaded.model.getLayer('conv1').getWeights()[0]!.shape).toEqual([3, 3, 1, 5]);
    expect(loaded.masks).toBeNull();
    const x = tf.ones([1, 12, 12, 1]);
    const a = shrunk.predict(x) as tf.Tensor;
    const b = loaded.model.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    [x, a, b].forEach((t) => t.dispose());
    shrunk.dispose();
    loaded.model.dispose();
  });

  it('says clearly when there is no model or a damaged one', async () => {
    await expect(loadModelState(join(dir, 'missing'))).rejects.toThrow(/No saved model in/);
    const model = createPreset('lenet5', { inputShape: [12, 12, 1], classes: 3, seed: 1 });
    await saveModelState(join(dir, 'cut'), { model, meta: meta('lenet5') });
    model.dispose();
    await writeFile(join(dir, 'cut', 'weights.bin'), Buffer.alloc(10));
    const tensors = tf.memory().numTensors;
    await expect(loadModelState(join(dir, 'cut'))).rejects.toThrow(/truncated/);
    expect(tf.memory().numTensors).toBe(tensors);
    await writeFile(join(dir, 'cut', 'model.json'), '{"format":"something-else"}');
    await expect(loadModelState(join(dir, 'cut'))).rejects.toThrow(/not a PruneLab model state/);
  });
});
