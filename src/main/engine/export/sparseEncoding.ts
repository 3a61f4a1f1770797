import { gzipSync } from 'node:zlib';
import { bytesPerElement, zeroFlags, type EncodedWeight } from './encodeWeights';
import { concatBytes } from './tfjsWriter';

/**
 * The compact sparse form of a set of weights — what a sparse-aware format would ship, and so what
 * pruning is worth beyond plain gzip. Two streams, each gzipped on its own (they have nothing in
 * common, and one deflate stream over both costs ~3% more):
 *   - bitmask: every tensor's mask, 1 bit per element, most significant bit first, 1 = stored;
 *   - values: every tensor's stored (nonzero) elements in the export's encoding, bit-shuffled per
 *     tensor (the Blosc/HDF5 "bitshuffle" filter): reading each element as a little-endian unsigned
 *     integer, bit plane by bit plane from the most significant (sign, exponent) down, each plane
 *     packed most significant bit first. Surviving weights share a narrow band of exponents, so the
 *     high planes are near-constant and gzip folds them away.
 * Lossless: the bitmask and the element width restore every value.
 */
export function sparseStreams(weights: EncodedWeight[]): { bitmask: Uint8Array; values: Uint8Array } {
  const masks: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  for (const w of weights) {
    const zeros = zeroFlags(w);
    const n = zeros.length;
    const mask = new Uint8Array(Math.ceil(n / 8));
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      if (zeros[i] === 1) continue;
      mask[i >> 3] = (mask[i >> 3] as number) | (0x80 >> (i & 7));
      kept.push(i);
    }
    masks.push(mask);
    values.push(bitShuffle(w.bytes, bytesPerElement(w.kind), kept));
  }
  return { bitmask: concatBytes(masks), values: concatBytes(values) };
}

/** Bit planes of the chosen elements, most significant bit of the most significant byte first. */
export function bitShuffle(bytes: Uint8Array, width: number, elements: readonly number[]): Uint8Array {
  const planeBytes = Math.ceil(elements.length / 8);
  const out = new Uint8Array(planeBytes * width * 8);
  for (let byte = width - 1, plane = 0; byte >= 0; byte--) {
    for (let bit = 7; bit >= 0; bit--, plane++) {
      const base = plane * planeBytes;
      elements.forEach((e, k) => {
        if (((bytes[e * width + byte] as number) >> bit) & 1)
          out[base + (k >> 3)] = (out[base + (k >> 3)] as number) | (0x80 >> (k & 7));
      });
    }
  }
  return out;
}

/** gzip bytes of the sparse form: gzip(bitmask) + gzip(values). */
export function sparseGzipSize(weights: EncodedWeight[]): number {
  const { bitmask, values } = sparseStreams(weights);
  return gzipSize(bitmask) + gzipSize(values);
}

export function gzipSize(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: 9 }).length;
}

/** Elements stored as something other than an exact zero. */
export function countNonzero(weights: EncodedWeight[]): number {
  let n = 0;
  for (const w of weights) for (const z of zeroFlags(w)) n += 1 - z;
  return n;
}

export function countElements(weights: EncodedWeight[]): number {
  return weights.reduce((n, w) => n + w.bytes.length / bytesPerElement(w.kind), 0);
}
