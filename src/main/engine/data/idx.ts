// MNIST-style IDX files (http://yann.lecun.com/exdb/mnist/ format): big-endian header, then raw bytes.
// Gzipped or not — recognised by the gzip magic, not the file name.
import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);
const UBYTE = 0x08;

export interface IdxImages {
  count: number;
  height: number;
  width: number;
  /** count · height · width bytes, row-major, one channel */
  pixels: Uint8Array;
}

/** Reads a file and un-gzips it when it starts with the gzip magic (1f 8b). */
export async function readMaybeGzipped(path: string): Promise<Uint8Array> {
  const raw = await readFile(path);
  return raw[0] === 0x1f && raw[1] === 0x8b ? new Uint8Array(await gunzipAsync(raw)) : new Uint8Array(raw);
}

function parseHeader(data: Uint8Array, what: string, dims: number): number[] {
  if (data.length < 4 + 4 * dims) throw new Error(`${what}: file too short for an IDX header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint16(0) !== 0 || data[2] !== UBYTE) throw new Error(`${what}: not an unsigned-byte IDX file`);
  if (data[3] !== dims) throw new Error(`${what}: expected ${dims} dimensions, found ${data[3]}`);
  const sizes = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = 4 + 4 * dims + sizes.reduce((a, b) => a * b, 1);
  if (data.length < expected) throw new Error(`${what}: truncated (${data.length} of ${expected} bytes)`);
  return sizes;
}

export function parseIdxImages(data: Uint8Array, what = 'IDX images'): IdxImages {
  const [count = 0, height = 0, width = 0] = parseHeader(data, what, 3);
  return { count, height, width, pixels: data.subarray(16, 16 + count * height * width) };
}

export function parseIdxLabels(data: Uint8Array, what = 'IDX labels'): Uint8Array {
  const [count = 0] = parseHeader(data, what, 1);
  return data.subarray(8, 8 + count);
}

/** Encodes images or labels as IDX (for tests and tools that write the format). */
export function encodeIdx(sizes: number[], bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * sizes.length + bytes.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = sizes.length;
  sizes.forEach((s, i) => view.setUint32(4 + 4 * i, s));
  out.set(bytes, 4 + 4 * sizes.length);
  return out;
}
