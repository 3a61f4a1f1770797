import { gzipSync } from 'node:zlib';
import { bytesPerElement, zeroFlags, type EncodedWeight } from './encodeWeights';
import { concatBytes } from './tfjsWriter';

/**
 * The compact sparse form of a set of weights — what a sparse-aware format would ship, and so what
 * pruning is worth beyond plain gzip. Two streams, each gzipped on its own (they have nothing in
 * common, and one deflate stream over both costs ~3% more):
 *   - bitmask: every tensor's mask, 1 bit per element, most significant bit first, 1 = stored;
 *   - values: every tensor's stored (nonzero) elements in the export's encoding, byte-shuffled per
 *     tensor — all first bytes, then all second bytes, … (the HDF5/Blosc "shuffle" filter). Surviving
 *     weights share a narrow band of exponents, so the exponent bytes become runs gzip folds away.
 * Lossless: the bitmask and the element width restore every value.
 */
export function sparseStreams(weights: EncodedWeight[]): { bitmask: Uint8Array; values: Uint8Array } {
  const masks: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  for (const w of weights) {
    const zeros = zeroFlags(w);
    const n = zeros.length;
    const width = bytesPerElement(w.kind);
    const mask = new Uint8Array(Math.ceil(n / 8));
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      if (zeros[i] === 1) continue;
      mask[i >> 3] = (mask[i >> 3] as number) | (0x80 >> (i & 7));
      kept.push(i);
    }
    const shuffled = new Uint8Array(kept.length * width);
    for (let b = 0; b < width; b++) {
      kept.forEach((i, k) => {
        shuffled[b * kept.length + k] = w.bytes[i * width + b] as number;
      });
    }
    masks.push(mask);
    values.push(shuffled);
  }
  return { bitmask: concatBytes(masks), values: concatBytes(values) };
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
