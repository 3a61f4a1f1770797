// evaluateModel end to end on a real (tiny) model: the report's per-image classes agree with its confusion
// matrix, name the split they index into, and no tensor is left behind.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { evaluateModel } from '../../../src/main/engine/train';
import { classNames, classes, smallSet } from './fixtures';

function tinyModel(size: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [size, size, 1] }),
      tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
    ],
  });
}

describe('evaluateModel', () => {
  it("records every image's predicted and true class in set order, consistent with the confusion matrix", async () => {
    await initBackend('cpu');
    const set = smallSet(8, 13, 4);
    const model = tinyModel(8);
    const before = tf.memory().numTensors;
    // a batch size that splits the set unevenly, so batch offsets matter
    const report = await evaluateModel(model, set, classNames, { batchSize: 5 });
    expect(tf.memory().numTensors).toBe(before);

    expect(report.split).toBe('test');
    expect(report.labels).toEqual(Array.from(set.labels));
    expect(report.predictions).toHaveLength(13);
    // the same predictions as the model gives image by image
    const expected = tf.tidy(() =>
      Array.from(
        (
          model.predict(
            tf.tensor4d(
              Float32Array.from(set.images, (v) => v / 255),
              [13, 8, 8, 1],
            ),
          ) as tf.Tensor
        )
          .argMax(1)
          .dataSync(),
      ),
    );
    expect(report.predictions).toEqual(expected);
    const counted = classNames.map(() => classNames.map(() => 0));
    report.labels!.forEach((label, i) => (counted[label]![report.predictions![i]!]! += 1));
    expect(counted).toEqual(report.confusion);
    expect(report.accuracy).toBeCloseTo(
      report.labels!.filter((label, i) => label === report.predictions![i]).length / 13,
      12,
    );
    model.dispose();
  });

  it('names the split it was given', async () => {
    await initBackend('cpu');
    const model = tinyModel(8);
    const report = await evaluateModel(model, smallSet(8, 4, 2), classNames, { split: 'validation' });
    expect(report.split).toBe('validation');
    model.dispose();
  });
});
