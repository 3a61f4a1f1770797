// The import doctor for class-folder datasets. Every file is read and decoded once, in a small pool; each
// file that cannot be used is left out and listed with its reason; one bad file never costs a good one.
// Whole-dataset faults (no classes, one class, a class with no usable image) stop the import with a clear
// IMPORT_FAILED error.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ImportProblem, ResizeMode } from '../../../shared/dto';
import {
  DEFAULT_MAX_PIXELS,
  DEFAULT_MIN_SIDE,
  defaultSize,
  layoutName,
  majorityChannels,
  type DatasetChannels,
  type DecodeTarget,
} from './channelPolicy';
import { decodeImage } from './decodeImage';
import { importFailed, throwIfAborted } from './errors';
import { ImageProblem, classifyDecodeError } from './imageProblem';
import { NO_SPLIT, SizeStatsAccumulator, type LoadedDataset } from './loadedDataset';
import { SpooledPixels } from './pixelStore';
import { runPool } from './pool';
import { readCandidate } from './readCandidate';
import { sniffFormat } from './sniffFormat';
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
  /** files in flight at once */
  concurrency?: number;
  /** how many files (spread over the list) are read by header to guess the channel count before decoding */
  probeFiles?: number;
  /** a class with this many times fewer images than the largest is reported as imbalanced */
  imbalanceRatio?: number;
  signal?: AbortSignal;
  onProgress?: (phase: string, done: number, total: number) => void;
}

type Outcome =
  /** `hash` is set when the bytes were read and hashed before the problem showed (a decode failure) */
  | { kind: 'problem'; reason: ImageProblem['reason']; detail: string; hash?: string }
  | { kind: 'copy'; hash: string }
  | {
      kind: 'ok';
      hash: string;
      slot: number;
      width: number;
      height: number;
      layout: string;
      /** decoded to 3 channels, yet every pixel has R = G = B */
      colourless: boolean;
    };

const DEFAULT_PROBE_FILES = 64;

/** Reads the channel layout of a spread of files from their headers (no pixel decoding) to pick 1 or 3. */
async function probeChannels(files: FileEntry[], probeFiles: number): Promise<DatasetChannels> {
  const mix: Record<string, number> = {};
  const step = Math.max(1, files.length / probeFiles);
  for (let k = 0; k < Math.min(probeFiles, files.length); k++) {
    const entry = files[Math.floor(k * step)];
    if (!entry) continue;
    try {
      const buf = readCandidate(entry.absPath);
      const sniffed = sniffFormat(buf);
      if (sniffed.kind !== 'image') continue;
      const layout =
        sniffed.format === 'bmp'
          ? 'rgb'
          : await sharp(buf)
              .metadata()
              .then((m) => layoutName(m.space, m.hasAlpha === true, m.depth === 'ushort'));
      mix[layout] = (mix[layout] ?? 0) + 1;
    } catch {
      // the decode pass will name this file's problem
    }
  }
  return majorityChannels(mix);
}

interface DecodePass {
  outcomes: Outcome[];
  spool: SpooledPixels;
}

async function decodeAll(
  files: FileEntry[],
  target: DecodeTarget,
  options: FolderImportOptions,
  attempt: number,
): Promise<DecodePass> {
  const spool = new SpooledPixels(
    join(options.workDir, `pixels-${attempt}.spool`),
    target.size * target.size * target.channels,
  );
  const outcomes: Outcome[] = new Array(files.length);
  const firstOfHash = new Set<string>();
  let done = 0;
  const every = Math.max(1, Math.floor(files.length / 100));
  try {
    await runPool(
      files,
      options.concurrency ?? 4,
      async (entry, index) => {
        outcomes[index] = await examine(entry.absPath, target, spool, firstOfHash);
        done++;
        if (done % every === 0 || done === files.length) options.onProgress?.('decode', done, files.length);
      },
      options.signal,
    );
    throwIfAborted(options.signal);
  } catch (err) {
    spool.dispose();
    throw err;
  }
  return { outcomes, spool };
}

function isColourless(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] !== rgb[i + 1] || rgb[i] !== rgb[i + 2]) return false;
  return true;
}

async function examine(
  path: string,
  target: DecodeTarget,
  spool: SpooledPixels,
  seen: Set<string>,
): Promise<Outcome> {
  try {
    const buf = readCandidate(path);
    const sniffed = sniffFormat(buf);
    if (sniffed.kind === 'not-image')
      return { kind: 'problem', reason: 'not-an-image', detail: `this is ${sniffed.what}` };
    if (sniffed.kind === 'unsupported')
      return {
        kind: 'problem',
        reason: 'unsupported-format',
        detail: `${sniffed.format.toUpperCase()} images are not supported; convert to PNG or JPEG`,
      };
    const hash = createHash('sha1').update(buf).digest('base64');
    if (seen.has(hash)) return { kind: 'copy', hash }; // identical bytes decode identically: decode once
    seen.add(hash);
    let image;
    try {
      image = await decodeImage(buf, sniffed.format, target);
    } catch (err) {
      const problem = classifyDecodeError(err);
      return { kind: 'problem', reason: problem.reason, detail: problem.message, hash };
    }
    return {
      kind: 'ok',
      hash,
      slot: spool.append(image.pixels),
      width: image.width,
      height: image.height,
      layout: image.layout,
      colourless: target.channels === 3 && isColourless(image.pixels),
    };
  } catch (err) {
    const problem = classifyDecodeError(err);
    return { kind: 'problem', reason: problem.reason, detail: problem.message };
  }
}

interface Verdicts {
  kept: { index: number; slot: number; width: number; height: number; layout: string; colourless: boolean }[];
  problems: ImportProblem[];
}

/**
 * Settles duplicates in file order, independent of which copy the pool happened to decode: copies in one
 * class keep the first and list the rest as duplicates; copies under two or more classes are label
 * conflicts, and every copy is left out (which label is right cannot be known).
 */
function judge(files: FileEntry[], outcomes: Outcome[]): Verdicts {
  const groups = new Map<string, number[]>();
  const decodedOf = new Map<string, Outcome>();
  outcomes.forEach((o, i) => {
    if (o.hash === undefined) return;
    if (o.kind !== 'copy') decodedOf.set(o.hash, o);
    const g = groups.get(o.hash);
    if (g) g.push(i);
    else groups.set(o.hash, [i]);
  });
  const kept: Verdicts['kept'] = [];
  const problems: ImportProblem[] = [];
  outcomes.forEach((o, i) => {
    const entry = files[i] as FileEntry;
    if (o.kind === 'problem') {
      problems.push({ path: entry.relPath, reason: o.reason, detail: o.detail });
      return;
    }
    // a copy shares the verdict of the copy that was decoded
    const decoded = decodedOf.get(o.hash);
    if (!decoded || decoded.kind !== 'ok') {
      const reason = decoded?.kind === 'problem' ? decoded.reason : 'corrupt';
      problems.push({
        path: entry.relPath,
        reason,
        detail: decoded?.kind === 'problem' ? decoded.detail : 'not decoded',
      });
      return;
    }
    const group = groups.get(o.hash) ?? [i];
    const classes = [...new Set(group.map((g) => files[g]?.className))];
    if (classes.length > 1) {
      const others = classes.filter((c) => c !== entry.className).map((c) => `'${c}'`);
      problems.push({
        path: entry.relPath,
        reason: 'label-conflict',
        detail: `the same image is also under ${others.join(', ')}`,
      });
    } else if (group[0] !== i) {
      problems.push({
        path: entry.relPath,
        reason: 'duplicate',
        detail: `same content as ${files[group[0] ?? i]?.relPath}`,
      });
    } else {
      kept.push({
        index: i,
        slot: decoded.slot,
        width: decoded.width,
        height: decoded.height,
        layout: decoded.layout,
        colourless: decoded.colourless,
      });
    }
  });
  return { kept, problems };
}

function checkClasses(root: string, walk: FolderWalk): string[] {
  const classes = [...new Set(walk.classFolders.map((c) => c.name))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const loose =
    walk.looseFiles.length > 0 ? ` (found ${walk.looseFiles.length} file(s) outside any class folder)` : '';
  if (classes.length === 0)
    throw importFailed(
      `No class folders in ${root}${loose}. Put each class's images in a folder named after the class, e.g. ${root}/cat/…, ${root}/dog/….`,
    );
  if (classes.length === 1)
    throw importFailed(
      `Only one class folder ('${classes[0]}') in ${root}: a classifier needs at least two classes.`,
    );
  return classes;
}

function warningsFor(
  walk: FolderWalk,
  classes: string[],
  perClass: number[],
  perClassSplit: Map<string, number>,
  ratio: number,
): string[] {
  const warnings: string[] = [];
  if (walk.looseFiles.length > 0)
    warnings.push(
      `${walk.looseFiles.length} file(s) outside any class folder were ignored (e.g. ${walk.looseFiles[0]}).`,
    );
  const max = Math.max(...perClass);
  const minIndex = perClass.indexOf(Math.min(...perClass));
  const min = perClass[minIndex] ?? 0;
  if (min > 0 && max / min >= ratio) {
    const big = classes[perClass.indexOf(max)];
    warnings.push(
      `Strong class imbalance: '${big}' has ${max} images but '${classes[minIndex]}' only ${min} (${(max / min).toFixed(1)}×). ` +
        'Accuracy will flatter the large classes; watch balanced accuracy and per-class recall.',
    );
  }
  if (walk.splitFolders) {
    const given = new Set(walk.classFolders.map((c) => c.split));
    for (const split of splitNames) {
      if (!given.has(split)) continue;
      const missing = classes.filter((c) => !perClassSplit.get(`${split}/${c}`));
      if (missing.length > 0)
        warnings.push(`The ${split} folder has no images of ${missing.map((m) => `'${m}'`).join(', ')}.`);
    }
  }
  return warnings;
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
    const { kept, problems } = judge(files, pass.outcomes);
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
        (problems.length > 0 ? ` (${problems.length} file(s) were left out; see details).` : '.'),
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
