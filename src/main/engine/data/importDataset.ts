// One import from start to finish: detect the source kind, run its reader (the doctor, for folders), split,
// and write the cache — into a temporary folder that is renamed into place only when everything worked, so
// a failure or a cancel leaves no half dataset behind.
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ClassCount, DatasetDetail } from '../../../shared/dto';
import type { Payload } from '../../../shared/api';
import { fsyncFolder, fsyncTree } from '../files/durable';
import { importingFolderName } from '../files/scratchNames';
import { removeStaleImports } from '../files/sweepLeftovers';
import { dataLayout, type TaskContext } from '../types';
import { assignSplits } from './assignSplits';
import { detectSource } from './detectSource';
import { importFailed, throwIfAborted } from './errors';
import { importCifar } from './importCifar';
import { importIdx } from './importIdx';
import { importImageFolder, type FolderImportOptions } from './importImageFolder';
import type { LoadedDataset } from './loadedDataset';
import { SpooledPixels } from './pixelStore';
import { splitNames } from './split';
import { writeDatasetCache } from './writeCache';

export type ImportOptions = Payload<'datasets.import'>;

/** Knobs the API does not expose: limits of the doctor, and injection points for tests. */
export interface ImportTuning extends Pick<
  FolderImportOptions,
  | 'maxPixels'
  | 'minSide'
  | 'maxDepth'
  | 'maxEntries'
  | 'concurrency'
  | 'helperThreads'
  | 'minFilesForHelpers'
  | 'imbalanceRatio'
  | 'probeFiles'
> {
  now?: () => Date;
}

function classCounts(data: LoadedDataset, splitOf: Uint8Array): ClassCount[] {
  const counts = data.classes.map((name) => ({ name, count: 0, train: 0, validation: 0, test: 0 }));
  data.labels.forEach((label, i) => {
    const c = counts[label];
    if (!c) return;
    c.count++;
    c[splitNames[splitOf[i] ?? 0] ?? 'train']++;
  });
  return counts;
}

async function load(
  options: ImportOptions,
  workDir: string,
  ctx: TaskContext,
  tuning: ImportTuning,
): Promise<LoadedDataset> {
  const source = await detectSource(resolve(options.path));
  const onProgress = (phase: string, done: number, total: number): void =>
    ctx.emit({ type: 'progress', phase, done, total });
  const common = {
    size: options.size,
    channels: options.channels,
    resizeMode: options.resizeMode,
    signal: ctx.signal,
    onProgress,
  };
  if (source.kind === 'idx') return importIdx(source.dir, { ...common, classNames: options.classNames });
  if (source.kind === 'cifar') return importCifar(source.dir, { ...common, classNames: options.classNames });
  const data = await importImageFolder(source.dir, { ...common, ...tuning, workDir });
  if (options.classNames)
    data.warnings.push(
      'Class names were given, but a folder dataset is named by its class folders; they were ignored.',
    );
  return data;
}

export async function importDataset(
  datasetId: string,
  options: ImportOptions,
  ctx: TaskContext,
  tuning: ImportTuning = {},
): Promise<DatasetDetail> {
  const finalDir = dataLayout.datasetDir(ctx.dataDir, datasetId);
  const tempDir = join(ctx.dataDir, 'datasets', importingFolderName(datasetId));
  await removeStaleImports(join(ctx.dataDir, 'datasets'));
  await mkdir(tempDir, { recursive: true });
  let data: LoadedDataset | null = null;
  try {
    data = await load(options, tempDir, ctx, tuning);
    throwIfAborted(ctx.signal);
    const { splitOf, fromFolders, given } = assignSplits(data, options.split, options.seed);
    const classes = classCounts(data, splitOf);
    const populated = classes.filter((c) => c.count > 0);
    if (populated.length < 2)
      throw importFailed(
        `${options.path} yields images of ${populated.length} class(es): a classifier needs at least two` +
          (data.problems.length > 0
            ? ` (${data.problems.length} file(s) were left out, listed below).`
            : '.'),
        { problems: data.problems },
      );
    const sum = (k: 'train' | 'validation' | 'test'): number => classes.reduce((n, c) => n + c[k], 0);
    const detail: DatasetDetail = {
      id: datasetId,
      name: options.name ?? basename(resolve(options.path)),
      sourcePath: resolve(options.path),
      // The services know where an import came from and which names are free; they settle both.
      origin: 'path',
      kind: data.kind,
      contentHash: null,
      runCount: 0,
      createdAt: (tuning.now ?? (() => new Date()))().toISOString(),
      classes,
      imported: data.count,
      skipped: data.problems.length,
      inputShape: data.inputShape,
      resizeMode: data.resizeMode,
      channelMix: data.channelMix,
      sizeStats: data.sizeStats,
      split: {
        train: sum('train'),
        validation: sum('validation'),
        test: sum('test'),
        seed: options.seed,
        fromFolders,
        given,
      },
      warnings: data.warnings,
      problems: data.problems,
    };
    const meta = await writeDatasetCache(
      tempDir,
      detail,
      data,
      splitOf,
      (done, total) => ctx.emit({ type: 'progress', phase: 'write', done, total }),
      ctx.signal,
    );
    if (data.pixels instanceof SpooledPixels) data.pixels.dispose();
    throwIfAborted(ctx.signal);
    // On disk before it takes its name, and the name on disk before the store records the dataset.
    await fsyncTree(tempDir);
    await rm(finalDir, { recursive: true, force: true });
    await rename(tempDir, finalDir);
    await fsyncFolder(dirname(finalDir));
    return meta.detail;
  } catch (err) {
    if (data?.pixels instanceof SpooledPixels) data.pixels.dispose();
    await rm(tempDir, { recursive: true, force: true });
    throw err;
  }
}
