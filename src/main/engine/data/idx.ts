// MNIST-style IDX files (http://yann.lecun.com/exdb/mnist/ format): big-endian header, then raw bytes.
// Gzipped or not — recognised by the gzip magic, not the file name. A file is read (and inflated) as a
// stream into a buffer of exactly the size its header declares: it can never cost more memory than that,
// a header declaring more than the limit is refused before anything is allocated, and data running past
// what the header declares makes the file corrupt — a decompression bomb stops at its first extra byte.
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ProblemReason } from '../../../shared/dto';

const UBYTE = 0x08;
const MiB = 2 ** 20;

export interface IdxImages {
  count: number;
  height: number;
  width: number;
  /** count · height · width bytes, row-major, one channel */
  pixels: Uint8Array;
}

export interface IdxLimits {
  /** the file on disk, compressed or not (60,000 Fashion-MNIST images are 26 MiB gzipped, 45 MiB raw) */
  maxFileBytes: number;
  /** what the header may declare, after decompression (EMNIST's largest split is 523 MiB) */
  maxDataBytes: number;
}

export const DEFAULT_IDX_LIMITS: IdxLimits = { maxFileBytes: 2048 * MiB, maxDataBytes: 1024 * MiB };

/** A whole file refused, with the reason the import lists it under. */
export class IdxFileProblem extends Error {
  constructor(
    readonly reason: Extract<ProblemReason, 'corrupt' | 'too-large'>,
    message: string,
  ) {
    super(message);
    this.name = 'IdxFileProblem';
  }
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MiB`;

function corrupt(message: string): IdxFileProblem {
  return new IdxFileProblem('corrupt', message);
}

/** The header's sizes, after checking the magic and the number of dimensions. */
function parseHeader(header: Uint8Array, what: string, dims: number): number[] {
  if (header.length < 4 + 4 * dims) throw corrupt(`${what}: file too short for an IDX header`);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (view.getUint16(0) !== 0 || header[2] !== UBYTE) throw corrupt(`${what}: not an unsigned-byte IDX file`);
  if (header[3] !== dims) throw corrupt(`${what}: expected ${dims} dimensions, found ${header[3]}`);
  return Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
}

const product = (sizes: number[]) => sizes.reduce((a, b) => a * b, 1);

function parseWhole(data: Uint8Array, what: string, dims: number): { sizes: number[]; body: Uint8Array } {
  const sizes = parseHeader(data, what, dims);
  const start = 4 + 4 * dims;
  const expected = start + product(sizes);
  if (data.length < expected) throw corrupt(`${what}: truncated (${data.length} of ${expected} bytes)`);
  if (data.length > expected)
    throw corrupt(
      `${what}: longer than its header says (${data.length} bytes, the header declares ${expected})`,
    );
  return { sizes, body: data.subarray(start, expected) };
}

export function parseIdxImages(data: Uint8Array, what = 'IDX images'): IdxImages {
  const { sizes, body } = parseWhole(data, what, 3);
  const [count = 0, height = 0, width = 0] = sizes;
  return { count, height, width, pixels: body };
}

export function parseIdxLabels(data: Uint8Array, what = 'IDX labels'): Uint8Array {
  return parseWhole(data, what, 1).body;
}

/**
 * Streams one IDX file (inflating it when gzipped) into a buffer of exactly the size its header declares.
 * Throws an IdxFileProblem: 'too-large' for a file or declared size over the limits, 'corrupt' for a bad
 * header, damaged gzip, truncated data, or data longer than the header says.
 */
export async function readIdx(
  path: string,
  dims: number,
  what: string,
  limits: IdxLimits = DEFAULT_IDX_LIMITS,
): Promise<{ sizes: number[]; body: Uint8Array }> {
  const handle = await open(path, 'r');
  let gzipped: boolean;
  try {
    const { size } = await handle.stat();
    if (size > limits.maxFileBytes)
      throw new IdxFileProblem(
        'too-large',
        `${what}: the file is ${mib(size)}, over the ${mib(limits.maxFileBytes)} limit`,
      );
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    gzipped = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } catch (err) {
    await handle.close();
    throw err;
  }
  // The read stream owns the handle from here and closes it when it ends or is destroyed.
  const source = handle.createReadStream({ start: 0, highWaterMark: MiB });
  const stream = gzipped ? pipeline(source, createGunzip({ chunkSize: 64 * 1024 }), () => {}) : source;
  const headerBytes = 4 + 4 * dims;
  let head = new Uint8Array(0);
  let sizes: number[] = [];
  let body: Uint8Array | null = null;
  let at = 0;
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      let chunk: Uint8Array = raw;
      if (!body) {
        head = Buffer.concat([head, chunk]);
        if (head.length < headerBytes) continue;
        sizes = parseHeader(head.subarray(0, headerBytes), what, dims);
        const declared = product(sizes);
        if (declared > limits.maxDataBytes)
          throw new IdxFileProblem(
            'too-large',
            `${what}: its header declares ${sizes.join('×')} = ${mib(declared)} of data, over the ${mib(limits.maxDataBytes)} limit`,
          );
        body = new Uint8Array(declared);
        chunk = head.subarray(headerBytes);
      }
      if (at + chunk.length > body.length)
        throw corrupt(
          `${what}: longer than its header says — the data ${gzipped ? 'inflates' : 'runs'} past the ${body.length} bytes ` +
            `its header declares (${sizes.join('×')}); the file is damaged or a decompression bomb`,
        );
      body.set(chunk, at);
      at += chunk.length;
    }
  } catch (err) {
    if (err instanceof IdxFileProblem) throw err;
    throw corrupt(
      `${what}: ${gzipped ? 'the gzip data is damaged' : 'unreadable'} (${(err as Error).message})`,
    );
  } finally {
    stream.destroy();
    source.destroy();
  }
  if (!body) throw corrupt(`${what}: file too short for an IDX header`);
  if (at < body.length)
    throw corrupt(`${what}: truncated (${headerBytes + at} of ${headerBytes + body.length} bytes)`);
  return { sizes, body };
}

export async function readIdxImages(
  path: string,
  what = 'IDX images',
  limits?: IdxLimits,
): Promise<IdxImages> {
  const { sizes, body } = await readIdx(path, 3, what, limits);
  const [count = 0, height = 0, width = 0] = sizes;
  return { count, height, width, pixels: body };
}

export async function readIdxLabels(
  path: string,
  what = 'IDX labels',
  limits?: IdxLimits,
): Promise<Uint8Array> {
  return (await readIdx(path, 1, what, limits)).body;
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
