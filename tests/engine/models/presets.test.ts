import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  countFlops,
  createPreset,
  describePreset,
  listPresets,
  presetNames,
} from '../../../src/main/engine/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let tensorsBefore = 0;
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe('model presets', () => {
  it('keras-cifar-cnn has the reference architecture and Keras parameter count for 32×32×3, 10 classes', () => {
    tensorsBefore = tf.memory().numTensors;
    const model = createPreset('keras-cifar-cnn', { inputShape: [32, 32, 3], classes: 10, seed: 1 });
    // Keras tutorial summary: 896 + 18,496 + 36,928 + 65,600 + 650
    expect(model.countParams()).toBe(122_570);
    expect(model.layers.map((l) => l.name)).toEqual([
      'conv1',
      'pool1',
      'conv2',
      'pool2',
      'conv3',
      'flatten',
      'dense1',
      'logits',
    ]);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    // conv1 30·30·32·27 + conv2 13·13·64·288 + conv3 4·4·64·576 + 1024·64 + 64·10 MACs, 2 FLOPs each
    const macs = 30 * 30 * 32 * 27 + 13 * 13 * 64 * 288 + 4 * 4 * 64 * 576 + 1024 * 64 + 64 * 10;
    expect(countFlops(model)).toBe(2 * macs);
    model.dispose();
  });

  it('outputs logits, not probabilities', () => {
    tensorsBefore = tf.memory().numTensors;
    for (const name of presetNames) {
      const model = createPreset(name, { inputShape: [28, 28, 1], classes: 4, seed: 3 });
      const lastConfig = model.layers[model.layers.length - 1]!.getConfig();
      expect(lastConfig.activation).toBe('linear');
      model.dispose();
    }
  });

  it('the same seed gives the same initial weights; another seed does not', () => {
    tensorsBefore = tf.memory().numTensors;
    for (const name of presetNames) {
      const a = createPreset(name, { inputShape: [20, 20, 1], classes: 3, seed: 42 });
      const b = createPreset(name, { inputShape: [20, 20, 1], classes: 3, seed: 42 });
      const c = createPreset(name, { inputShape: [20, 20, 1], classes: 3, seed: 43 });
      const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
      const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
      const wc = c.getWeights().map((w) => Array.from(w.dataSync()));
      expect(wb).toEqual(wa);
      expect(wc[0]).not.toEqual(wa[0]);
      [a, b, c].forEach((m) => m.dispose());
    }
  });

  it('lists every preset that fits the input with its size and cost', () => {
    tensorsBefore = tf.memory().numTensors;
    const all = listPresets([28, 28, 1], 10);
    expect(all.map((p) => p.name)).toEqual(['keras-cifar-cnn', 'lenet5', 'vgg-bn']);
    for (const p of all) {
      expect(p.parameters).toBeGreaterThan(1000);
      expect(p.flopsPerImage).toBeGreaterThan(p.parameters);
      expect(p.description.length).toBeGreaterThan(10);
    }
    // LeNet-5 on 28×28: conv1 156 + conv2 2,416 + 400·120+120 + 120·84+84 + 84·10+10
    expect(describePreset('lenet5', [28, 28, 1], 10).parameters).toBe(61_706);
    // 8×8 images are too small for the valid convolutions of keras-cifar-cnn and lenet5
    expect(listPresets([8, 8, 1], 10).map((p) => p.name)).toEqual(['vgg-bn']);
  });

  it('refuses an input it cannot take with a clear message', () => {
    tensorsBefore = tf.memory().numTensors;
    expect(() => createPreset('keras-cifar-cnn', { inputShape: [10, 10, 1], classes: 10, seed: 0 })).toThrow(
      /at least 18×18/,
    );
    expect(() => createPreset('lenet5', { inputShape: [28, 28, 1], classes: 1, seed: 0 })).toThrow(
      /2 classes/,
    );
    expect(() => createPreset('nope' as never, { inputShape: [28, 28, 1], classes: 3, seed: 0 })).toThrow(
      /Unknown model preset "nope"/,
    );
  });
});
