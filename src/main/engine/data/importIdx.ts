// MNIST-style IDX datasets: a folder holding <prefix>images-idx3-ubyte[.gz] + <prefix>labels-idx1-ubyte[.gz]
// pairs (train-…, t10k-…), e.g. Debian's dataset-fashion-mnist. Files named train* are the training split,
// t10k*/test* the test split. Class names come from a classes.txt (one per line) beside the files, from the
// dataset's known names (a folder path mentioning fashion-mnist), or are the label numbers.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportProblem } from '../../../shared/dto';
import { defaultSize } from './channelPolicy';
import { importFailed } from './errors';
import { readIdxImages, readIdxLabels } from './idx';
import { fashionMnistClasses } from './knownClassNames';
import { NO_SPLIT, type LoadedDataset } from './loadedDataset';
import { corruptFile, joinParts, rawDataset, type RawPart } from './rawDataset';
import { nameClasses, readClassNamesFile, type RawImportOptions } from './rawSource';
import { TEST, TRAIN } from './split';

interface IdxPair {
  images: string;
  labels: string;
  split: number;
}

function findPairs(names: string[]): IdxPair[] {
  const pairs: IdxPair[] = [];
  for (const images of names.filter((n) => /images?[-_.]idx3-ubyte(\.gz)?$/i.test(n)).sort()) {
    const stem = images.replace(/images?[-_.]idx3-ubyte(\.gz)?$/i, '');
    const labels = names.find(
      (n) => n.startsWith(stem) && /labels?[-_.]idx1-ubyte(\.gz)?$/i.test(n.slice(stem.length)),
    );
    if (!labels) continue;
    pairs.push({
      images,
      labels,
      split: /t10k|test/i.test(stem) ? TEST : /train/i.test(stem) ? TRAIN : NO_SPLIT,
    });
  }
  return pairs;
}

export async function importIdx(dir: string, options: RawImportOptions): Promise<LoadedDataset> {
  const names = await readdir(dir);
  const pairs = findPairs(names);
  if (pairs.length === 0)
    throw importFailed(`${dir} has IDX image files but no matching *labels-idx1-ubyte label files.`);
  const problems: ImportProblem[] = [];
  const parts: (RawPart & { h: number; w: number })[] = [];
  for (const pair of pairs) {
    options.onProgress?.('read', parts.length, pairs.length);
    let culprit = pair.images; // the file a problem is listed under
    try {
      const images = await readIdxImages(join(dir, pair.images), pair.images);
      culprit = pair.labels;
      const labels = await readIdxLabels(join(dir, pair.labels), pair.labels);
      culprit = pair.images;
      if (labels.length !== images.count)
        throw new Error(`${images.count} images but ${labels.length} labels in ${pair.labels}`);
      if (parts[0] && (parts[0].h !== images.height || parts[0].w !== images.width))
        throw new Error(
          `${images.height}×${images.width} images, unlike the ${parts[0].h}×${parts[0].w} of the first file`,
        );
      parts.push({ images: images.pixels, labels, split: pair.split, h: images.height, w: images.width });
    } catch (err) {
      problems.push(corruptFile(culprit, err));
    }
  }
  const first = parts[0];
  if (!first) throw importFailed(`No readable IDX image/label pair in ${dir}.`, { problems });

  const { count, native, labels, givenSplit, maxLabel } = joinParts(parts, first.h * first.w);
  const known =
    /fashion[-_]?mnist/i.test(dir) && maxLabel < fashionMnistClasses.length ? [...fashionMnistClasses] : null;
  const classes = nameClasses(
    maxLabel,
    options.classNames ?? (await readClassNamesFile(dir, names)) ?? known,
    dir,
  );
  return rawDataset(
    {
      kind: 'idx',
      classes,
      count,
      labels,
      givenSplit: parts.some((p) => p.split !== NO_SPLIT) ? givenSplit : null,
      problems,
      channelMix: { gray: count },
      native,
      nativeShape: [first.h, first.w, 1],
      size: options.size ?? (options.channels === 3 ? defaultSize(3) : first.h),
      channels: options.channels ?? 1,
    },
    options,
  );
}
