// The part of the decode pass a helper thread can take: read, hash and decode a batch of files through the
// fast PNG path. Files it cannot finish (other formats, anything unusual, any error) come back as null and are
// examined in full by the main thread, so a helper never decides a problem.
import { createHash } from 'node:crypto';
import type { DecodeTarget } from './channelPolicy';
import { FAST_PNG_MAX_BYTES, tryFastPng } from './fastPng';
import { readCandidate } from './readCandidate';
import { sniffFormat } from './sniffFormat';

export interface FastResult {
  hash: string;
  width: number;
  height: number;
  layout: 'gray' | 'rgb';
}

export interface FastBatch {
  /** one per path, in order; null = let the main thread examine it */
  results: (FastResult | null)[];
  /** the decoded records of the non-null results, in order, target.size² · channels bytes each */
  pixels: Uint8Array;
}

export function fastDecodeBatch(paths: readonly string[], target: DecodeTarget): FastBatch {
  const recordBytes = target.size * target.size * target.channels;
  const results: (FastResult | null)[] = [];
  const records: Uint8Array[] = [];
  for (const path of paths) {
    let result: FastResult | null = null;
    try {
      // A file too big for the shortcut is not even read here: the main thread takes it, once.
      const buf = readCandidate(path, FAST_PNG_MAX_BYTES);
      const sniffed = sniffFormat(buf);
      const decoded = sniffed.kind === 'image' && sniffed.format === 'png' ? tryFastPng(buf, target) : null;
      if (decoded && decoded.pixels.length === recordBytes) {
        const hash = createHash('sha1').update(buf).digest('base64');
        result = { hash, width: decoded.width, height: decoded.height, layout: decoded.layout };
        records.push(decoded.pixels);
      }
    } catch {
      // the main thread will read this file again and name its problem
    }
    results.push(result);
  }
  const pixels = new Uint8Array(records.length * recordBytes);
  records.forEach((r, i) => pixels.set(r, i * recordBytes));
  return { results, pixels };
}
