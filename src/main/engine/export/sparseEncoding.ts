import { gzipSync } from 'node:zlib';
import { bytesPerElement, zeroFlags, type EncodedWeight } from './encodeWeights';
import { concatBytes } from './tfjsWriter';

/**
 * The compact sparse form of a set of weights: per tensor, a bitmask (1 bit per element, 1 = stored)
 * followed by the stored elements' bytes in the export's encoding, all concatenated. This is what a
 * sparse-aware format would ship; its gzip size shows what pruning is worth beyond plain gzip.
 */
export function sparseEncode(weights: EncodedWeight[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const w of weights) {
    const zeros = zeroFlags(w);
    const n = zeros.length;
    const width = bytesPerElement(w.kind);
    const mask = new Uint8Array(Math.ceil(n / 8));
    const kept = new Uint8Array((n - zeros.reduce((a, z) => a + z, 0)) * width);
    let at = 0;
    for (let i = 0; i < n; i++) {
      if (zeros[i] === 1) continue;
      mask[i >> 3] = (mask[i >> 3] as number) | (0x80 >> (i & 7));
      kept.set(w.bytes.subarray(i * width, (i + 1) * width), at);
      at += width;
    }
    parts.push(mask, kept);
  }
  return concatBytes(parts);
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
