import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportArchive } from '../../../src/main/engine/export/exportArchive';
import { exportModel, type ExportModelOptions } from '../../../src/main/engine/export/exportModel';
import { verifyExportFiles, type ExportMetadata } from '../../../src/main/engine/export/metadata';
import { predictLogits } from '../../../src/main/engine/export/modelInput';
import { decodeOnnxModel } from '../../../src/main/engine/export/onnxProto';
import { checkParity } from '../../../src/main/engine/export/parity';
import { buildMixedModel, exportOptions, magnitudeMasks, parityImages, withTempDir } from './fixtures';

let model: tf.Sequential;
let dense: tf.Sequential;
let masks: Map<string, tf.Tensor>;
let tensorsBefore = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dense = buildMixedModel(5);
  model = buildMixedModel(5);
  masks = magnitudeMasks(model, 0.8);
});
afterAll(() => {
  model.dispose();
  dense.dispose();
  tf.dispose([...masks.values()]);
});
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

function options(outDir: string, over: Partial<ExportModelOptions> = {}): ExportModelOptions {
  return exportOptions(model, outDir, {
    masks,
    denseModel: dense,
    parityImages: parityImages(30, [10, 8, 3]),
    now: () => new Date('2026-01-02T03:04:05Z'),
    ...over,
  });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('exportModel', () => {
  it('measures the size table from the written files, for the export and the dense parent', async () => {
    await withTempDir(async (root) => {
      const out = join(root, 'tfjs-float32');
      const result = await exportModel(options(out));
      const modelFiles = result.files.filter((f) => f === 'model.json' || f.endsWith('.bin'));
      let raw = 0;
      let gz = 0;
      for (const f of modelFiles) {
        raw += (await stat(join(out, f))).size;
        gz += gzipSync(await readFile(join(out, f)), { level: 9 }).length;
      }
      expect(result.sizes.export.rawBytes).toBe(raw);
      expect(result.sizes.export.gzipBytes).toBe(gz);
      expect(result.bytes).toBe(raw);
      expect(result.gzipBytes).toBe(gz);

      // The sparse figure, rebuilt here from the shard: gzip(bitmasks) + gzip(nonzero float32 values,
      // bit-shuffled per tensor) + gzip(model.json).
      const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
      const shard = await readFile(join(out, json.weightsManifest[0].paths[0]));
      const masksOut: Uint8Array[] = [];
      const valuesOut: Uint8Array[] = [];
      let at = 0;
      let nonzero = 0;
      for (const spec of json.weightsManifest[0].weights as { shape: number[] }[]) {
        const n = spec.shape.reduce((a, b) => a * b, 1);
        const bits = new Uint8Array(Math.ceil(n / 8));
        const kept: number[] = [];
        for (let i = 0; i < n; i++) {
          if (shard.readFloatLE((at + i) * 4) !== 0) {
            bits[i >> 3] = (bits[i >> 3] as number) | (0x80 >> (i & 7));
            kept.push(at + i);
          }
        }
        // bit planes of the little-endian uint32 view, bit 31 first
        const planeBytes = Math.ceil(kept.length / 8);
        const planes = new Uint8Array(planeBytes * 32);
        kept.forEach((e, k) => {
          const word = shard.readUInt32LE(e * 4);
          for (let bit = 31; bit >= 0; bit--) {
            if ((word >>> bit) & 1)
              planes[(31 - bit) * planeBytes + (k >> 3)] =
                (planes[(31 - bit) * planeBytes + (k >> 3)] as number) | (0x80 >> (k & 7));
          }
        });
        nonzero += kept.length;
        masksOut.push(bits);
        valuesOut.push(planes);
        at += n;
      }
      const gzipLength = (b: Uint8Array) => gzipSync(b, { level: 9 }).length;
      const topology = await readFile(join(out, 'model.json'));
      expect(result.sizes.export.sparseGzipBytes).toBe(
        gzipLength(Buffer.concat(masksOut)) + gzipLength(Buffer.concat(valuesOut)) + gzipLength(topology),
      );
      expect(result.sizes.export.parameters).toBe(model.countParams());
      expect(result.sizes.export.nonzeroParameters).toBe(nonzero);

      // The dense parent has every weight and is bigger once compressed.
      expect(result.sizes.dense.parameters).toBe(dense.countParams());
      expect(result.sizes.dense.nonzeroParameters).toBeGreaterThan(nonzero);
      expect(result.sizes.dense.rawBytes).toBe(raw); // same shapes, both float32
      expect(result.sizes.ratios.gzip).toBeCloseTo(result.sizes.dense.gzipBytes / gz, 10);
      expect(result.sizes.ratios.gzip).toBeGreaterThan(1.5);
      expect(result.parity.ok).toBe(true);
      expect(json.userDefinedMetadata).toMatchObject({ output: 'logits', input_layout: 'NHWC' });
      expect(JSON.parse(json.userDefinedMetadata.classes)).toEqual(['cat', 'dog', 'emu', 'fox']);
    });
  });

  it('writes metadata.json whose sha256 entries match every file, and a zip of the same files', async () => {
    await withTempDir(async (root) => {
      const out = join(root, 'onnx-uint8');
      const result = await exportModel(options(out, { format: 'onnx', encoding: 'uint8', zip: true }));
      const metaBytes = await readFile(join(out, 'metadata.json'));
      const meta = JSON.parse(metaBytes.toString('utf8')) as ExportMetadata;
      expect(result.sha256).toBe(sha256(metaBytes));
      expect(meta.files.map((f) => f.path).sort()).toEqual(['README.md', 'model.onnx']);
      for (const f of meta.files) {
        const bytes = await readFile(join(out, f.path));
        expect(f.sha256).toBe(sha256(bytes));
        expect(f.bytes).toBe(bytes.length);
      }
      expect(meta.classes).toEqual(['cat', 'dog', 'emu', 'fox']);
      expect(meta.inputShape).toEqual([10, 8, 3]);
      expect(meta.model.input).toMatchObject({ name: 'input', layout: 'NCHW', shape: [null, 3, 10, 8] });
      expect(meta.channelOrder).toBe('RGB');
      expect(meta.resizeMode).toBe('crop');
      expect(meta.pixelScaling.divisor).toBe(255);
      expect(meta.runId).toBe('run-1');
      expect(meta.appVersion).toBe('0.1.0-test');
      expect(meta.createdAt).toBe('2026-01-02T03:04:05.000Z');
      expect(meta.parity).toEqual(result.parity);
      expect(meta.sizes).toEqual(result.sizes);
      const dense1 = meta.layers.find((l) => l.name === 'dense1');
      expect(dense1?.sparsity).toBeGreaterThan(0.79);
      expect(meta.sparsity).toBeGreaterThan(0.79);
      expect((await verifyExportFiles(out)).ok).toBe(true);

      // The ONNX file itself: opset 13, weight-only uint8 via DequantizeLinear, class names inside.
      const decoded = decodeOnnxModel(await readFile(join(out, 'model.onnx'))) as {
        ir_version: number;
        opset_import: { version: number }[];
        metadata_props: { key: string; value: string }[];
        graph: { node: { op_type: string }[]; input: { name: string }[]; output: { name: string }[] };
      };
      expect(decoded.ir_version).toBe(7);
      expect(decoded.opset_import[0]?.version).toBe(13);
      const ops = new Set(decoded.graph.node.map((n) => n.op_type));
      for (const op of [
        'Conv',
        'BatchNormalization',
        'MaxPool',
        'AveragePool',
        'Flatten',
        'Gemm',
        'Relu',
        'DequantizeLinear',
      ])
        expect(ops).toContain(op);
      expect(decoded.graph.input.map((i) => i.name)).toEqual(['input']);
      expect(decoded.graph.output.map((o) => o.name)).toEqual(['logits']);
      const props = Object.fromEntries(decoded.metadata_props.map((p) => [p.key, p.value]));
      expect(JSON.parse(props.classes ?? '[]')).toEqual(['cat', 'dog', 'emu', 'fox']);
      expect(props.input_layout).toBe('NCHW');

      expect(result.zipPath).toBe(`${out}.zip`);
      const unzipped = unzipSync(new Uint8Array(await readFile(`${out}.zip`)));
      expect(Object.keys(unzipped).sort()).toEqual(['README.md', 'metadata.json', 'model.onnx']);
      for (const [name, bytes] of Object.entries(unzipped))
        expect(sha256(bytes)).toBe(sha256(await readFile(join(out, name))));
      expect(new TextDecoder().decode(unzipped['README.md'])).toMatch(/InferenceSession\.create/);
      // a download builds the same archive from the verified folder, byte for byte
      expect(await exportArchive(out, result.sha256)).toEqual(new Uint8Array(await readFile(`${out}.zip`)));

      // A flipped byte is caught by the sha256 check.
      const onnx = await readFile(join(out, 'model.onnx'));
      onnx[onnx.length - 10] = (onnx[onnx.length - 10] as number) ^ 0xff;
      await writeFile(join(out, 'model.onnx'), onnx);
      const verdict = await verifyExportFiles(out);
      expect(verdict.ok).toBe(false);
      expect(verdict.problems.join()).toMatch(/model\.onnx does not match its sha256/);
    });
  });

  it('replaces a previous export when asked but refuses a folder that holds something else', async () => {
    await withTempDir(async (root) => {
      const out = join(root, 'export');
      await exportModel(options(out));
      const second = await exportModel(options(out, { encoding: 'float16', overwrite: true }));
      expect(second.parity.ok).toBe(true);
      expect(JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')).encoding).toBe('float16');

      const foreign = join(root, 'photos');
      await mkdir(foreign);
      await writeFile(join(foreign, 'holiday.jpg'), 'not ours');
      await expect(exportModel(options(foreign))).rejects.toThrow(/is not a PruneLab export/);
      expect(await readdir(foreign)).toEqual(['holiday.jpg']);
      expect((await readdir(root)).sort()).toEqual(['export', 'photos']);
    });
  });

  it('cancelled, it leaves nothing behind', async () => {
    await withTempDir(async (root) => {
      const controller = new AbortController();
      const run = exportModel(
        options(join(root, 'export'), {
          signal: controller.signal,
          onProgress: (phase) => {
            if (phase === 'parity') controller.abort();
          },
        }),
      );
      await expect(run).rejects.toMatchObject({ name: 'AbortError' });
      expect(await readdir(root)).toEqual([]);
    });
  });
});

describe('parity check on damaged or mismatching exports', () => {
  it('reports a flipped byte in a float32 shard and a truncated ONNX file as failed', async () => {
    await withTempDir(async (root) => {
      const tfjsDir = join(root, 'tfjs');
      const onnxDir = join(root, 'onnx');
      const inputs = parityImages(20, [10, 8, 3]);
      await exportModel(options(tfjsDir));
      await exportModel(options(onnxDir, { format: 'onnx' }));
      // The reference: the masked model's logits, as the export was made from.
      const expected = predictLogits(model, inputs.images, [10, 8, 3]);

      const shardPath = join(tfjsDir, 'group1-shard1of1.bin');
      const shard = await readFile(shardPath);
      // conv1/kernel comes first; byte 3 of a float32 holds its sign and top exponent bits.
      shard[3] = (shard[3] as number) ^ 0x40;
      await writeFile(shardPath, shard);
      const flipped = await checkParity({
        format: 'tfjs',
        encoding: 'float32',
        artifactDir: tfjsDir,
        inputs,
        expectedLogits: expected,
        classes: 4,
      });
      expect(flipped.ok).toBe(false);
      expect(flipped.message).toMatch(/float32 export differs/);

      const onnxPath = join(onnxDir, 'model.onnx');
      const onnx = await readFile(onnxPath);
      await writeFile(onnxPath, onnx.subarray(0, Math.floor(onnx.length / 2)));
      const truncated = await checkParity({
        format: 'onnx',
        encoding: 'float32',
        artifactDir: onnxDir,
        inputs,
        expectedLogits: expected,
        classes: 4,
      });
      expect(truncated.ok).toBe(false);
      expect(truncated.message).toMatch(/failed to run in a fresh onnxruntime process/);
    });
  });

  it('reports an intact export checked against different predictions as failed', async () => {
    await withTempDir(async (root) => {
      const out = join(root, 'tfjs');
      const inputs = parityImages(20, [10, 8, 3]);
      await exportModel(options(out));
      const otherModel = buildMixedModel(9);
      const other = predictLogits(otherModel, inputs.images, [10, 8, 3]);
      otherModel.dispose();
      const parity = await checkParity({
        format: 'tfjs',
        encoding: 'float32',
        artifactDir: out,
        inputs,
        expectedLogits: other,
        classes: 4,
      });
      expect(parity.ok).toBe(false);
      expect(parity.maxAbsLogitDelta).toBeGreaterThan(1e-4);
    });
  });
});
