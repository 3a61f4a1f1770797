import type { WeightEncoding } from '../../../shared/dto';
import { toFloat16Array } from './float16';
import { affineUint8Params, quantizeUint8, type AffineUint8 } from './quantize';

/** How one weight is stored on disk. */
export type StoredKind = 'float32' | 'float16' | 'uint8';

export interface EncodedWeight {
  name: string;
  shape: number[];
  kind: StoredKind;
  /** little-endian element bytes as written to the file */
  bytes: Uint8Array;
  /** set when kind is 'uint8' */
  quant: AffineUint8 | null;
}

/**
 * Encodes one weight for the requested encoding. uint8 quantizes kernels (rank ≥ 2) only: biases and
 * batch-norm statistics are a few hundred numbers, and per-tensor 8-bit steps would wreck a variance
 * near epsilon for no size gain worth having.
 */
export function encodeWeight(
  weight: { name: string; shape: number[]; values: Float32Array },
  encoding: WeightEncoding,
): EncodedWeight {
  const { name, shape, values } = weight;
  if (encoding === 'float16') {
    const half = toFloat16Array(values);
    return { name, shape, kind: 'float16', bytes: new Uint8Array(half.buffer), quant: null };
  }
  if (encoding === 'uint8' && shape.length >= 2) {
    const quant = affineUint8Params(values);
    return { name, shape, kind: 'uint8', bytes: quantizeUint8(values, quant), quant };
  }
  const copy = new Float32Array(values);
  return { name, shape, kind: 'float32', bytes: new Uint8Array(copy.buffer), quant: null };
}

export function bytesPerElement(kind: StoredKind): number {
  return kind === 'float32' ? 4 : kind === 'float16' ? 2 : 1;
}

export function elementCount(weight: EncodedWeight): number {
  return weight.bytes.length / bytesPerElement(weight.kind);
}

/** Whether element i is stored as an exact zero (what the sparse encoding leaves out). */
export function zeroFlags(weight: EncodedWeight): Uint8Array {
  const n = elementCount(weight);
  const flags = new Uint8Array(n);
  const view = new DataView(weight.bytes.buffer, weight.bytes.byteOffset, weight.bytes.byteLength);
  for (let i = 0; i < n; i++) {
    if (weight.kind === 'float32') flags[i] = view.getFloat32(i * 4, true) === 0 ? 1 : 0;
    else if (weight.kind === 'float16') flags[i] = (view.getUint16(i * 2, true) & 0x7fff) === 0 ? 1 : 0;
    else flags[i] = weight.bytes[i] === weight.quant?.zeroPoint ? 1 : 0;
  }
  return flags;
}
