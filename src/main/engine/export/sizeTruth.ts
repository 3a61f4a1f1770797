import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SizeFigures, SizeTable } from '../../../shared/dto';
import { countElements, countNonzero, gzipSize, sparseGzipSize } from './sparseEncoding';
import type { WrittenModel } from './tfjsWriter';

/**
 * Size figures of a written model, measured from the files on disk: raw bytes and gzip -9 bytes are
 * summed per file (how a web server or a download ships them). The sparse figure is gzip(topology) +
 * gzip(bitmask) + gzip(stored nonzero values) (see sparseEncoding.ts), so it counts everything a
 * loader would need.
 */
export async function measureWrittenModel(dir: string, written: WrittenModel): Promise<SizeFigures> {
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const file of written.files) {
    const bytes = await readFile(join(dir, file));
    rawBytes += bytes.length;
    gzipBytes += gzipSize(bytes);
  }
  return {
    rawBytes,
    gzipBytes,
    sparseGzipBytes: gzipSize(written.topologyBytes) + sparseGzipSize(written.encoded),
    parameters: countElements(written.encoded),
    nonzeroParameters: countNonzero(written.encoded),
  };
}

/** The export beside its dense parent; ratios are dense ÷ export, so bigger means smaller files. */
export function sizeTable(exported: SizeFigures, dense: SizeFigures): SizeTable {
  const ratio = (d: number, e: number) => (e > 0 ? d / e : 0);
  return {
    export: exported,
    dense,
    ratios: {
      raw: ratio(dense.rawBytes, exported.rawBytes),
      gzip: ratio(dense.gzipBytes, exported.gzipBytes),
      sparseGzip: ratio(dense.sparseGzipBytes, exported.sparseGzipBytes),
    },
  };
}
