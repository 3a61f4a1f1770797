import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareLatency } from '../../../src/main/engine/prune/latency';
import { useCpuAndCheckLeaks } from './fixtures';

useCpuAndCheckLeaks();

function tiny(units: number): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units })] });
}

/** Records every predict call (which model, batch size) and advances a fake clock by the model's cost. */
function instrument(
  model: tf.LayersModel,
  name: string,
  costMs: number,
  log: string[],
  clock: { t: number },
) {
  const predict = model.predict.bind(model);
  model.predict = ((x: tf.Tensor) => {
    log.push(`${name}:${x.shape[0]}`);
    clock.t += costMs;
    return predict(x);
  }) as typeof model.predict;
}

describe('latency before and after a prune step', () => {
  it('times both models alike: the same warm-up and repetitions, interleaved, at each batch size', async () => {
    const before = tiny(8);
    const after = tiny(2);
    const log: string[] = [];
    const clock = { t: 0 };
    instrument(before, 'before', 5, log, clock);
    instrument(after, 'after', 2, log, clock);
    const result = await compareLatency(before, after, {
      batchSizes: [1, 64],
      warmup: 2,
      runs: 5,
      now: () => clock.t,
    });
    for (const batch of [1, 64]) {
      const calls = log.filter((c) => c.endsWith(`:${batch}`));
      // warm-up and timed calls: the same count for each model, before and after alternating
      expect(calls.filter((c) => c.startsWith('before'))).toHaveLength(2 + 5);
      expect(calls.filter((c) => c.startsWith('after'))).toHaveLength(2 + 5);
      const pairs = Array.from({ length: calls.length / 2 }, (_, i) => calls.slice(2 * i, 2 * i + 2).sort());
      for (const pair of pairs) expect(pair).toEqual([`after:${batch}`, `before:${batch}`]);
      // and neither model is always measured first, so drift cannot favour one
      const firsts = calls.filter((_, i) => i % 2 === 0 && i >= 4);
      expect(new Set(firsts).size).toBe(2);
    }
    expect(result).toEqual({
      runs: 5,
      byBatch: [
        { batchSize: 1, beforeMs: 5, afterMs: 2 },
        { batchSize: 64, beforeMs: 5, afterMs: 2 },
      ],
    });
    before.dispose();
    after.dispose();
  });
});
