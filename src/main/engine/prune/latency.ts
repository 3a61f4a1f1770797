import * as tf from '@tensorflow/tfjs';

/**
 * Median wall time of one inference on a batch of `batchSize` images, divided by the batch: milliseconds
 * per image. Warm-up runs first so kernel compilation and allocation are not counted.
 */
export async function measureLatencyMs(
  model: tf.LayersModel,
  options: { batchSize?: number; runs?: number; now?: () => number } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 32;
  const runs = options.runs ?? 7;
  const now = options.now ?? (() => performance.now());
  const shape = model.inputs[0]!.shape.slice(1).map((d) => d ?? 1);
  const x = tf.zeros([batchSize, ...shape]);
  try {
    const once = async () => {
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      y.dispose();
    };
    await once();
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const start = now();
      await once();
      times.push(now() - start);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]! / batchSize;
  } finally {
    x.dispose();
  }
}
