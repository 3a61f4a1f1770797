// The job worker's entry point for datasets.import: the import doctor, split and cache, all-or-nothing.
// It also hashes the caches of earlier datasets that have no content hash yet (imported before hashes
// were recorded) when they could be the same content — same shape, classes and split sizes — so the
// services can tell a re-import of them from new content.
import type { DatasetDetail } from '../../../shared/dto';
import { hashDatasetCache, readCacheMeta } from '../data/cache';
import { importDataset, type ImportOptions } from '../data/importDataset';
import { splitNames } from '../data/split';
import { dataLayout, type TaskContext } from '../types';

export interface ImportTaskInput {
  datasetId: string;
  options: ImportOptions;
  /** Earlier datasets without a content hash, to hash when they could match this import. */
  unhashedIds?: string[];
}

export interface ImportTaskResult extends DatasetDetail {
  /** Content hashes computed for earlier datasets (id → hash). */
  earlierHashes: Record<string, string>;
}

async function couldMatch(datasetDir: string, detail: DatasetDetail): Promise<boolean> {
  try {
    const meta = await readCacheMeta(datasetDir);
    const [h, w, c] = detail.inputShape;
    return (
      meta.shape[0] === h &&
      meta.shape[1] === w &&
      meta.shape[2] === c &&
      JSON.stringify(meta.classes) === JSON.stringify(detail.classes.map((k) => k.name)) &&
      splitNames.every((s) => meta.splits[s].count === detail.split[s])
    );
  } catch {
    return false; // a cache that cannot be read cannot be the same content
  }
}

export async function importTask(input: ImportTaskInput, ctx: TaskContext): Promise<ImportTaskResult> {
  const detail = await importDataset(input.datasetId, input.options, ctx);
  const earlierHashes: Record<string, string> = {};
  for (const id of input.unhashedIds ?? []) {
    const dir = dataLayout.datasetDir(ctx.dataDir, id);
    if (!(await couldMatch(dir, detail))) continue;
    try {
      earlierHashes[id] = await hashDatasetCache(dir, ctx.signal);
    } catch {
      // unreadable: that dataset simply keeps no hash
    }
  }
  return { ...detail, earlierHashes };
}
