// A deliberately ignorant process: it loads an exported model with stock @tensorflow/tfjs or
// onnxruntime-node — nothing from PruneLab — and prints its logits for the images it is given.
// Run as: node --import tsx parityChild.ts <request.json>. Exit code 0 = logits written.
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { basename, join } from 'node:path';

export interface ParityChildRequest {
  runtime: 'tfjs' | 'onnxruntime';
  /** folder of the export */
  artifactDir: string;
  /** entry file inside artifactDir: model.json or model.onnx */
  modelFile: string;
  /** float32 NHWC images, already scaled as metadata.json says */
  inputPath: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  /** where to write float32 logits, count × classes */
  outputPath: string;
  batchSize: number;
}

async function main(): Promise<void> {
  const requestPath = process.argv[2];
  if (!requestPath) throw new Error('usage: parityChild <request.json>');
  const request = JSON.parse(await readFile(requestPath, 'utf8')) as ParityChildRequest;
  const input = await readFile(request.inputPath);
  const images = new Float32Array(input.buffer, input.byteOffset, input.byteLength / 4);
  const logits =
    request.runtime === 'tfjs' ? await predictTfjs(request, images) : await predictOnnx(request, images);
  await writeFile(
    request.outputPath,
    Buffer.from(logits.values.buffer, logits.values.byteOffset, logits.values.byteLength),
  );
  process.stdout.write(`\n${JSON.stringify({ classes: logits.classes })}\n`);
}

async function predictTfjs(
  request: ParityChildRequest,
  images: Float32Array,
): Promise<{ values: Float32Array; classes: number }> {
  const tf = await import('@tensorflow/tfjs');
  tf.enableProdMode(); // no console banner in the stderr a failure message quotes; computation unchanged
  // Stock tfjs's own WebAssembly backend (30× faster than plain JS on 1,000 images); cpu if it fails.
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) await tf.setBackend('cpu');
  } catch {
    await tf.setBackend('cpu');
  }
  await tf.ready();
  // Served over loopback HTTP so the model loads exactly as a browser would load it from a web server.
  const server = await serveFolder(request.artifactDir);
  try {
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('loopback server has no port');
    const model = await tf.loadLayersModel(`http://127.0.0.1:${address.port}/${request.modelFile}`);
    const { count, height, width, channels } = request;
    const perImage = height * width * channels;
    const chunks: Float32Array[] = [];
    let classes = 0;
    for (let start = 0; start < count; start += request.batchSize) {
      const n = Math.min(request.batchSize, count - start);
      const batch = tf.tensor4d(images.subarray(start * perImage, (start + n) * perImage), [
        n,
        height,
        width,
        channels,
      ]);
      const out = model.predict(batch) as import('@tensorflow/tfjs').Tensor;
      classes = out.shape[1] ?? 0;
      chunks.push(new Float32Array(await out.data()));
      tf.dispose([batch, out]);
    }
    return { values: concat(chunks), classes };
  } finally {
    server.close();
  }
}

async function predictOnnx(
  request: ParityChildRequest,
  images: Float32Array,
): Promise<{ values: Float32Array; classes: number }> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(join(request.artifactDir, request.modelFile));
  const { count, height, width, channels } = request;
  const perImage = height * width * channels;
  const inputName = session.inputNames[0] as string;
  const outputName = session.outputNames[0] as string;
  const chunks: Float32Array[] = [];
  let classes = 0;
  for (let start = 0; start < count; start += request.batchSize) {
    const n = Math.min(request.batchSize, count - start);
    const nchw = toNchw(
      images.subarray(start * perImage, (start + n) * perImage),
      n,
      height,
      width,
      channels,
    );
    const result = await session.run({
      [inputName]: new ort.Tensor('float32', nchw, [n, channels, height, width]),
    });
    const out = result[outputName];
    if (!out) throw new Error(`the model produced no output "${outputName}"`);
    classes = Number(out.dims[1]);
    chunks.push(new Float32Array(out.data as Float32Array));
  }
  await session.release();
  return { values: concat(chunks), classes };
}

/** What every ONNX consumer of an image model does with NHWC pixels: move channels first. */
function toNchw(nhwc: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(nhwc.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++)
          out[((b * c + k) * h + y) * w + x] = nhwc[((b * h + y) * w + x) * c + k] as number;
  return out;
}

function serveFolder(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const name = basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    readFile(join(dir, name)).then(
      (body) => {
        res.writeHead(200, {
          'content-type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        });
        res.end(body);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function concat(chunks: Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
