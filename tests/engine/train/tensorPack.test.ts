import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreset } from '../../../src/main/engine/models';
import { loadModelState, saveModelState } from '../../../src/main/engine/train/modelState';
import { packTensors, unpackTensor } from '../../../src/main/engine/train/tensorPack';

// On the cpu backend, tf.cast(bool → float32 | int32) keeps the bool's Uint8Array as the tensor's
// values: data() of a float32 tensor is then one byte per element, not four.
let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'prunelab-tensorpack-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('packTensors', () => {
  it('packs tensors cast from bool by their dtype, four bytes per float32/int32 element', async () => {
    const before = tf.memory().numTensors;
    const mask = tf.tensor1d([true, false, true], 'bool');
    const asFloat = tf.cast(mask, 'float32');
    const asInt = tf.cast(mask, 'int32');

    const { entries, data } = await packTensors([
      { name: 'float', tensor: asFloat },
      { name: 'int', tensor: asInt },
      { name: 'bool', tensor: mask },
    ]);

    expect(entries.map((e) => [e.name, e.dtype, e.offset, e.bytes])).toEqual([
      ['float', 'float32', 0, 12],
      ['int', 'int32', 12, 12],
      ['bool', 'bool', 24, 3],
    ]);
    expect(data.byteLength).toBe(27);
    for (const entry of entries) {
      const restored = unpackTensor(data, entry, 'test.bin');
      expect(restored.dtype).toBe(entry.dtype);
      expect(Array.from(restored.dataSync())).toEqual([1, 0, 1]);
      restored.dispose();
    }
    tf.dispose([mask, asFloat, asInt]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves a model whose mask was cast from a bool tensor so that it loads again', async () => {
    const before = tf.memory().numTensors;
    const model = createPreset('lenet5', { inputShape: [28, 28, 1], classes: 3, seed: 5 });
    const kernel = model.weights.find((w) => w.originalName.endsWith('kernel'))!;
    const mask = tf.tidy(() => tf.cast(tf.greater(tf.abs(kernel.read()), 0.05), 'float32'));
    const expectedMask = Array.from(mask.dataSync());

    await saveModelState(join(dir, 'cast-mask'), {
      model,
      masks: new Map([[kernel.originalName, mask]]),
      meta: {
        preset: 'lenet5',
        inputShape: [28, 28, 1],
        classes: ['a', 'b', 'c'],
        runId: 'r',
        output: 'logits',
      },
    });
    const loaded = await loadModelState(join(dir, 'cast-mask'));

    const loadedMask = loaded.masks!.get(kernel.originalName)!;
    expect(loadedMask.dtype).toBe('float32');
    expect(loadedMask.shape).toEqual(kernel.shape);
    expect(Array.from(loadedMask.dataSync())).toEqual(expectedMask);
    mask.dispose();
    model.dispose();
    loaded.model.dispose();
    tf.dispose([...loaded.masks!.values()]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
