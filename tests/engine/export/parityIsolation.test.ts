// Inside the installed desktop app Electron's RunAsNode fuse is off (electron-builder.yml), so the parity
// check cannot fork a plain Node process there: it runs the same ignorant checker in a worker thread —
// its own module graph, stock tfjs / onnxruntime-node, nothing of PruneLab loaded. Both isolations must
// judge alike: a good export passes, a broken one fails with the reason.
import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictLogits } from '../../../src/main/engine/export/modelInput';
import { writeOnnxModel } from '../../../src/main/engine/export/onnxWriter';
import {
  checkParity,
  defaultParityIsolation,
  FLOAT32_MAX_LOGIT_DELTA,
} from '../../../src/main/engine/export/parity';
import { snapshotModel } from '../../../src/main/engine/export/snapshot';
import { writeTfjsModel } from '../../../src/main/engine/export/tfjsWriter';
import { buildMixedModel, parityImages, withTempDir } from './fixtures';

let model: tf.Sequential;
beforeAll(async () => {
  await tf.setBackend('cpu');
  model = buildMixedModel();
});
afterAll(() => model.dispose());

/** A float32 export checked against this model's own logits, in a worker thread. */
function checkInThread(format: 'tfjs' | 'onnx', dir: string, images: number) {
  const inputs = parityImages(images, [10, 8, 3]);
  return checkParity({
    format,
    encoding: 'float32',
    artifactDir: dir,
    inputs,
    expectedLogits: predictLogits(model, inputs.images, [10, 8, 3]),
    classes: 4,
    isolation: 'thread',
  });
}

describe('parity check isolation', () => {
  it('runs in a thread inside Electron (no RunAsNode there), in a process elsewhere', () => {
    expect(defaultParityIsolation({ node: '20.0.0' })).toBe('process');
    expect(defaultParityIsolation({ node: '22.0.0', electron: '39.0.0' })).toBe('thread');
  });

  it.each(['tfjs', 'onnx'] as const)('a %s float32 export passes in a worker thread', async (format) => {
    await withTempDir(async (dir) => {
      const snapshot = await snapshotModel(model, null);
      if (format === 'tfjs') await writeTfjsModel(snapshot, 'float32', dir, 'test');
      else await writeOnnxModel(model, snapshot.weights, 'float32', dir, { name: 'test', version: '0' });
      const parity = await checkInThread(format, dir, 30);
      expect(parity).toMatchObject({ ok: true, top1Agreement: 1 });
      expect(parity.maxAbsLogitDelta).toBeLessThanOrEqual(FLOAT32_MAX_LOGIT_DELTA);
    });
  });

  it('a truncated ONNX file fails in a worker thread with the reason, and the caller carries on', async () => {
    await withTempDir(async (dir) => {
      const snapshot = await snapshotModel(model, null);
      await writeOnnxModel(model, snapshot.weights, 'float32', dir, { name: 'test', version: '0' });
      const onnx = await readFile(join(dir, 'model.onnx'));
      await writeFile(join(dir, 'model.onnx'), onnx.subarray(0, Math.floor(onnx.length / 2)));
      const parity = await checkInThread('onnx', dir, 10);
      expect(parity.ok).toBe(false);
      expect(parity.message).toMatch(/failed to run in a fresh onnxruntime thread: .+/);
    });
  });
});
