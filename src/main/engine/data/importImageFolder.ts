// The import doctor for class-folder datasets. Every file is read and decoded once, in a small pool; each
// file that cannot be used is left out and listed with its reason; one bad file never costs a good one.
// Whole-dataset faults (no classes, one class, a class with no usable image) stop the import with a clear
// IMPORT_FAILED error.
import type { ImportProblem, ResizeMode } from '../../../shared/dto';
import {
  DEFAULT_MAX_PIXELS,
  DEFAULT_MIN_SIDE,
  defaultSize,
  majorityChannels,
  type DatasetChannels,
  type DecodeTarget,
} from './channelPolicy';
import { DEFAULT_PROBE_FILES, decodeAll, probeChannels } from './decodePass';
import { importFailed } from './errors';
import { checkClasses, warningsFor } from './folderReport';
import { judgeDuplicates, type Verdicts } from './judgeDuplicates';
import { NO_SPLIT, SizeStatsAccumulator, type LoadedDataset } from './loadedDataset';
import type { SpooledPixels } from './pixelStore';
import { splitNames, type SplitName } from './split';
import { walkImageFolder, type FileEntry, type FolderWalk } from './walkFolder';

export interface FolderImportOptions {
  size?: number;
  channels?: DatasetChannels;
  resizeMode: ResizeMode;
  /** folder for the temporary pixel spool (inside the import's temp dir) */
  workDir: string;
  maxPixels?: number;
  minSide?: number;
  maxDepth?: number;
  /** files and folders in the whole tree, at most (default 2,000,000) */
  maxEntries?: number;
  /** files in flight at once on the main thread */
  concurrency?: number;
  /** helper threads for small PNGs (see decodePass.ts) */
  helperThreads?: number;
  minFilesForHelpers?: number;
  /** how many files (spread over the list) are read by header to guess the channel count before decoding */
  probeFiles?: number;
  /** a class with this many times fewer images than the largest is reported as imbalanced */
  imbalanceRatio?: number;
  signal?: AbortSignal;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export async function importImageFolder(root: string, options: FolderImportOptions): Promise<LoadedDataset> {
  const walk = await walkImageFolder(root, {
    maxDepth: options.maxDepth ?? 32,
    maxEntries: options.maxEntries,
    signal: options.signal,
    onProgress: (found) => options.onProgress?.('scan', found, 0),
  });
  const classes = checkClasses(root, walk);
  const { files } = walk;

  let channels = options.channels ?? (await probeChannels(files, options.probeFiles ?? DEFAULT_PROBE_FILES));
  let attempt = 0;
  for (;;) {
    const target: DecodeTarget = {
      size: options.size ?? defaultSize(channels),
      channels,
      resizeMode: options.resizeMode,
      maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
      minSide: options.minSide ?? DEFAULT_MIN_SIDE,
    };
    const pass = await decodeAll(files, target, options, attempt++);
    const { kept, problems } = judgeDuplicates(files, pass.outcomes);
    const channelMix: Record<string, number> = {};
    for (const k of kept) channelMix[k.layout] = (channelMix[k.layout] ?? 0) + 1;
    // The probe read a sample; if the whole says otherwise, decode again with the majority's channel count.
    if (options.channels === undefined && majorityChannels(channelMix) !== channels && attempt === 1) {
      pass.spool.dispose();
      channels = majorityChannels(channelMix);
      continue;
    }
    return assemble(
      root,
      walk,
      classes,
      kept,
      [...walk.problems, ...problems],
      channelMix,
      target,
      pass.spool,
      options,
    );
  }
}

function assemble(
  root: string,
  walk: FolderWalk,
  classes: string[],
  kept: Verdicts['kept'],
  problems: ImportProblem[],
  channelMix: Record<string, number>,
  target: DecodeTarget,
  spool: SpooledPixels,
  options: FolderImportOptions,
): LoadedDataset {
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const labels = new Uint16Array(kept.length);
  const slots = new Uint32Array(kept.length);
  const givenSplit = walk.splitFolders ? new Uint8Array(kept.length) : null;
  const perClass = new Array<number>(classes.length).fill(0);
  const perClassSplit = new Map<string, number>();
  const sizes = new SizeStatsAccumulator();
  kept.forEach((k, n) => {
    const entry = walk.files[k.index] as FileEntry;
    const label = classIndex.get(entry.className) ?? 0;
    labels[n] = label;
    slots[n] = k.slot;
    perClass[label] = (perClass[label] ?? 0) + 1;
    if (givenSplit) {
      const split = entry.split ?? 'train';
      givenSplit[n] = entry.split ? splitNames.indexOf(split as SplitName) : NO_SPLIT;
      perClassSplit.set(
        `${split}/${entry.className}`,
        (perClassSplit.get(`${split}/${entry.className}`) ?? 0) + 1,
      );
    }
    sizes.add(k.width, k.height);
  });
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const empty = classes.filter((_, c) => perClass[c] === 0);
  if (empty.length > 0) {
    spool.dispose();
    const which = empty.map((e) => `'${e}'`).join(', ');
    throw importFailed(
      `Class folder${empty.length > 1 ? 's' : ''} ${which} in ${root} ${empty.length > 1 ? 'have' : 'has'} no usable images` +
        (problems.length > 0 ? ` (${problems.length} file(s) were left out, listed below).` : '.'),
      { problems },
    );
  }
  return {
    kind: 'folder',
    classes,
    inputShape: [target.size, target.size, target.channels],
    resizeMode: target.resizeMode,
    count: kept.length,
    labels,
    slots,
    pixels: spool,
    givenSplit,
    problems,
    warnings: [
      ...warningsFor(walk, classes, perClass, perClassSplit, options.imbalanceRatio ?? 5),
      ...(target.channels === 3 && kept.every((k) => k.colourless)
        ? [
            `All ${kept.length} images are gray, though stored in colour: importing with 1 channel ` +
              '(channels: 1) gives a 3× smaller dataset and model input.',
          ]
        : []),
    ],
    channelMix,
    sizeStats: sizes.result(),
  };
}
