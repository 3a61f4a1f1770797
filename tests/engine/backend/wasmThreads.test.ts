import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend';
import { createPreset } from '../../../src/main/engine/models';
import { trainModel } from '../../../src/main/engine/train';
import { baseConfig, classes, presetData, weightValues } from '../train/fixtures';

// Its own test file, so its own process (vitest forks): wasm's thread count is fixed when it first starts.
let scratchDir: string;
beforeAll(async () => {
  scratchDir = await mkdtemp(join(tmpdir(), 'prunelab-wasm-threads-'));
});
afterAll(async () => {
  await rm(scratchDir, { recursive: true, force: true });
});

describe('threaded wasm under Node', () => {
  it('starts with two threads and says so', async () => {
    const info = await initBackend('wasm', { wasmThreads: 2, scratchDir });
    expect(info).toMatchObject({ name: 'wasm', threads: 2 });
    expect(info.reason).toMatch(/using wasm, 2 threads$/);
    // the pthread worker script was written where we said
    expect((await readdir(scratchDir)).some((n) => n.endsWith('.cjs'))).toBe(true);
    // the start-up bridges are gone again
    expect('mainScriptUrlOrBlob' in {}).toBe(false);
  });

  it('computes the same convolution gradients as cpu', async () => {
    const grads = () =>
      tf.tidy(() => {
        const x = tf.randomUniform([4, 12, 12, 8], -1, 1, 'float32', 1) as tf.Tensor4D;
        const w = tf.randomUniform([3, 3, 8, 16], -1, 1, 'float32', 2) as tf.Tensor4D;
        const [dx, dw] = tf.grads((a, b) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')
            .square()
            .sum(),
        )([x, w]);
        return [dx!.dataSync(), dw!.dataSync()];
      });
    const threaded = grads();
    await tf.setBackend('cpu');
    const reference = grads();
    await tf.setBackend('wasm');
    for (const k of [0, 1]) {
      const scale = Math.max(...reference[k]!.map(Math.abs));
      const maxDiff = Math.max(...threaded[k]!.map((v, i) => Math.abs(v - reference[k]![i]!)));
      expect(maxDiff / scale).toBeLessThanOrEqual(1e-4);
    }
  });

  it('lets a process that trained on threaded wasm exit by itself', async () => {
    // without unref'd pthread workers this child would hang until the timeout kills it
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'threadedWasmChild.ts'), scratchDir],
      { timeout: 90_000 },
    );
    expect(stdout.trim().split('\n').at(-1)).toBe('2');
    // The child's worker script went with it: only this (still running) process's script is left.
    expect((await readdir(scratchDir)).filter((n) => n.endsWith('.cjs'))).toHaveLength(1);
  });

  it('splits PruneLab’s SIMD kernels over both threads with the same bits as one thread', async () => {
    const run = async (threads: number) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'kernelBitsChild.ts'), scratchDir, String(threads)],
        { timeout: 90_000 },
      );
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as { threads: number; hash: string };
    };
    const [one, two] = [await run(1), await run(2)];
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.hash).toBe(one.hash);
  });

  it('trains deterministically with two threads', async () => {
    const data = presetData('vgg-bn');
    const run = async () => {
      const model = createPreset('vgg-bn', { inputShape: [data.size, data.size, 1], classes, seed: 4 });
      await trainModel({ model, train: data.train, classes, config: { ...baseConfig, epochs: 1 } });
      const values = weightValues(model);
      model.dispose();
      return values;
    };
    expect(await run()).toEqual(await run());
  });
});
