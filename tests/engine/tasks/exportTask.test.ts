import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportMetadata } from '../../../src/main/engine/export/metadata';
import { createPreset } from '../../../src/main/engine/models';
import { exportTask, type ExportTaskInput } from '../../../src/main/engine/tasks/exportTask';
import { saveModelState } from '../../../src/main/engine/train/modelState';
import { magnitudeMasks } from '../export/fixtures';
import { expectNoTensorLeaks, importSource, taskContext } from './fixtures';

// The task end to end on real files: a dataset imported by the import task, model states saved by
// the training code, the export written, measured and parity-checked in a fresh process.

let dataDir: string;
const classes = ['circle', 'square', 'stripe'];

const context = (signal?: AbortSignal) => taskContext(dataDir, signal);

function input(over: Partial<ExportTaskInput> = {}): ExportTaskInput {
  return {
    runId: 'prune-1',
    modelDir: join(dataDir, 'runs', 'prune-1', 'model'),
    denseModelDir: join(dataDir, 'runs', 'train-1', 'model'),
    datasetId: 'ds-1',
    format: 'tfjs',
    encoding: 'float32',
    outDir: join(dataDir, 'exports', 'prune-1', 'tfjs-float32'),
    zip: false,
    overwrite: false,
    runConfig: null,
    appVersion: '0.1.0-test',
    ...over,
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'prunelab-export-task-'));
  const source = join(dataDir, 'source');
  for (const [c, name] of classes.entries()) {
    await mkdir(join(source, name), { recursive: true });
    for (let i = 0; i < 8; i++) {
      const pixels = Buffer.alloc(12 * 12 * 3);
      for (let p = 0; p < pixels.length; p++) pixels[p] = (p * (c + 3) + i * 37) % 256;
      await sharp(pixels, { raw: { width: 12, height: 12, channels: 3 } })
        .png()
        .toFile(join(source, name, `${i}.png`));
    }
  }
  await importSource(dataDir, source, { channels: 3, split: { train: 0.5, validation: 0.25, test: 0.25 } });

  await tf.setBackend('cpu');
  const model = createPreset('lenet5', { inputShape: [12, 12, 3], classes: 3, seed: 4 });
  const meta = {
    preset: 'lenet5' as const,
    inputShape: [12, 12, 3] as [number, number, number],
    classes,
    output: 'logits' as const,
  };
  await saveModelState(join(dataDir, 'runs', 'train-1', 'model'), {
    model,
    masks: null,
    meta: { ...meta, runId: 'train-1' },
  });
  const masks = magnitudeMasks(model, 0.8);
  await saveModelState(join(dataDir, 'runs', 'prune-1', 'model'), {
    model,
    masks,
    meta: { ...meta, runId: 'prune-1' },
  });
  tf.dispose([...masks.values()]);
  model.dispose();
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});
expectNoTensorLeaks();

describe('exportTask', () => {
  it('exports a pruned run as tfjs float32: smaller than its dense parent, parity exact, metadata complete', async () => {
    const ctx = context();
    const result = await exportTask(input(), ctx);
    expect(result.path).toBe(input().outDir);
    expect(result.files).toEqual(['model.json', 'group1-shard1of1.bin', 'README.md', 'metadata.json']);
    expect(result.parity).toMatchObject({ ok: true, runtime: 'tfjs', images: 6, top1Agreement: 1 });
    expect(result.parity.maxAbsLogitDelta).toBeLessThanOrEqual(1e-4);
    expect(result.sizes.export.nonzeroParameters).toBeLessThan(result.sizes.dense.nonzeroParameters * 0.4);
    expect(result.sizes.ratios.gzip).toBeGreaterThan(2);
    const meta = JSON.parse(await readFile(join(result.path, 'metadata.json'), 'utf8')) as ExportMetadata;
    expect(meta.classes).toEqual(classes);
    expect(meta.inputShape).toEqual([12, 12, 3]);
    expect(meta.resizeMode).toBe('crop');
    expect(meta.runId).toBe('prune-1');
    expect(meta.sparsity).toBeGreaterThan(0.75);
    expect(ctx.events.some((e) => e.type === 'backend')).toBe(true);
    expect(
      ctx.events.filter((e) => e.type === 'progress').map((e) => (e.type === 'progress' ? e.phase : '')),
    ).toEqual(expect.arrayContaining(['load', 'write', 'sizes', 'parity', 'finish']));
  });

  it('exports ONNX uint8 with a zip and reports the quantized agreement', async () => {
    const outDir = join(dataDir, 'exports', 'prune-1', 'onnx-uint8');
    const result = await exportTask(
      input({ format: 'onnx', encoding: 'uint8', outDir, zip: true }),
      context(),
    );
    expect(result.zipPath).toBe(`${outDir}.zip`);
    expect(result.parity.runtime).toBe('onnxruntime');
    expect(result.parity.top1Agreement).toBeGreaterThanOrEqual(0.5);
    expect(result.parity.message).toMatch(/uint8 export agrees with the app on/);
    expect(result.sizes.export.gzipBytes).toBeLessThan(result.sizes.dense.gzipBytes / 4);
  });

  it('rejects a dataset whose images do not fit the model, writing nothing', async () => {
    const odd = createPreset('lenet5', { inputShape: [16, 16, 3], classes: 3, seed: 1 });
    await saveModelState(join(dataDir, 'runs', 'odd', 'model'), {
      model: odd,
      masks: null,
      meta: { preset: 'lenet5', inputShape: [16, 16, 3], classes, runId: 'odd', output: 'logits' },
    });
    odd.dispose();
    const outDir = join(dataDir, 'exports', 'odd');
    await expect(
      exportTask(
        input({ modelDir: join(dataDir, 'runs', 'odd', 'model'), denseModelDir: null, outDir }),
        context(),
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/12×12×3 but the model takes 16×16×3/),
    });
    await expect(readdir(outDir)).rejects.toThrow();
  });

  it('cancelled, throws AbortError and leaves no export', async () => {
    const controller = new AbortController();
    const ctx = context(controller.signal);
    const emit = ctx.emit;
    ctx.emit = (e) => {
      emit(e);
      if (e.type === 'progress' && e.phase === 'sizes') controller.abort();
    };
    const outDir = join(dataDir, 'exports', 'cancelled');
    await expect(exportTask(input({ outDir }), ctx)).rejects.toMatchObject({ name: 'AbortError' });
    await expect(readdir(outDir)).rejects.toThrow();
    expect((await readdir(join(dataDir, 'exports'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
