// The benches read Fashion-MNIST straight from its IDX files (no import, no cache): one split as an ImageSet.
import { join } from 'node:path';
import { readIdxImages, readIdxLabels } from '../src/main/engine/data/idx';
import type { ImageSet } from '../src/main/engine/types';

/** `<dir>/<prefix>-images-idx3-ubyte.gz` with its labels file, e.g. prefix 'train' or 't10k'. */
export async function loadIdxSplit(dir: string, prefix: string): Promise<ImageSet> {
  const images = await readIdxImages(join(dir, `${prefix}-images-idx3-ubyte.gz`));
  const labels = await readIdxLabels(join(dir, `${prefix}-labels-idx1-ubyte.gz`));
  return {
    images: images.pixels,
    labels: Uint16Array.from(labels),
    count: images.count,
    height: images.height,
    width: images.width,
    channels: 1,
  };
}
