// datasets.*: import (a job), list, get, rename, delete (row, runs and cache), samples (read from the
// cache), exportImages (a job writing class folders of PNGs). An import whose content is already imported
// offers the existing dataset instead of making a copy; names stay unique.
import { rm } from 'node:fs/promises';
import { basename, resolve, sep } from 'node:path';
import type { Handlers } from '../../../shared/api';
import type { DatasetDetail, DatasetOrigin } from '../../../shared/dto';
import type { ImportTaskInput, ImportTaskResult } from '../../engine/tasks/importTask';
import { dataLayout } from '../../engine/types';
import { uniqueDatasetName } from '../../store/datasetNames';
import type { ServiceContext } from '../context';
import { conflict, notFound } from '../errors';
import { bundledSampleIfPresent } from '../sample';

type DatasetHandlers = Pick<
  Handlers,
  | 'datasets.import'
  | 'datasets.list'
  | 'datasets.get'
  | 'datasets.rename'
  | 'datasets.delete'
  | 'datasets.samples'
  | 'datasets.exportImages'
>;

export interface DatasetHandlerOptions {
  /** The bundled sample dataset (imported under the name "<folder> (sample)"); null when none ships. */
  sampleDatasetPath?: string | null;
}

const MAX_RECENT = 9;

/** An upload is imported from its own random-id folder when the drop had no single top folder. */
const UPLOAD_ID = /^[a-f0-9]{32}$/;

export function createDatasetHandlers(
  ctx: ServiceContext,
  options: DatasetHandlerOptions = {},
): DatasetHandlers {
  const { store } = ctx;
  const sample =
    options.sampleDatasetPath === undefined ? bundledSampleIfPresent() : options.sampleDatasetPath;
  const uploadsDir = resolve(ctx.dataDir, 'uploads') + sep;

  function requireDataset(id: string): DatasetDetail {
    const dataset = store.datasets.get(id);
    if (!dataset) throw notFound('dataset', id);
    return dataset;
  }

  /** The name an import starts from (made unique when it is recorded): given, else from the folder. */
  function baseName(path: string, origin: DatasetOrigin): string {
    const folder = basename(path);
    if (sample && resolve(sample) === path) return `${folder} (sample)`;
    if (origin === 'upload' && UPLOAD_ID.test(folder)) return 'uploaded images';
    return folder;
  }

  /**
   * Records a finished import inside the job's final transaction: the hashes of earlier datasets, then
   * either the existing dataset with the same content (nothing new is kept) or the new one, uniquely named.
   */
  function recordImport(
    raw: ImportTaskResult,
    request: { path: string; origin: DatasetOrigin; duplicate: 'reuse' | 'copy' },
  ) {
    const { earlierHashes, ...detail } = raw;
    for (const [id, hash] of Object.entries(earlierHashes)) store.datasets.setContentHash(id, hash);
    const existing =
      request.duplicate === 'reuse' && detail.contentHash
        ? store.datasets.findByContentHash(detail.contentHash)
        : null;
    if (existing) {
      const dir = dataLayout.datasetDir(ctx.dataDir, detail.id);
      return {
        duplicateOf: { datasetId: existing.id, name: existing.name },
        afterCommit: () => void rm(dir, { recursive: true, force: true }).catch(() => undefined),
      };
    }
    // An explicit name was free when asked for; if another import took it meanwhile, it gets a suffix too.
    const name = uniqueDatasetName(detail.name, detail, (n) => store.datasets.nameTaken(n));
    const saved = store.datasets.save({ ...detail, name, origin: request.origin });
    // An upload's folder is gone once imported: it is no path to offer again.
    if (request.origin === 'path') {
      const recent = store.settings.get().recentDatasets.filter((p) => p !== request.path);
      store.settings.update({ recentDatasets: [request.path, ...recent].slice(0, MAX_RECENT) });
    }
    return {
      afterCommit: () => ctx.bus.emit('dataset.changed', { datasetId: saved.id, change: 'imported' }),
    };
  }

  return {
    async 'datasets.import'(request) {
      const path = resolve(request.path);
      const origin: DatasetOrigin = path.startsWith(uploadsDir) ? 'upload' : 'path';
      if (request.name) {
        const other = store.datasets.nameTaken(request.name);
        if (other)
          throw conflict(
            `a dataset named "${other.name}" already exists (id ${other.id}); choose another name or rename that one`,
            { datasetId: other.id },
          );
      }
      const datasetId = store.newId();
      const options = { ...request, path, name: request.name ?? baseName(path, origin) };
      const jobId = ctx.jobs.submit({
        kind: 'import',
        task: 'importTask',
        datasetId,
        // Read when the job starts, so imports queued together compare against each other's results.
        input: (): ImportTaskInput => ({ datasetId, options, unhashedIds: store.datasets.unhashedIds() }),
        onDone: (raw) =>
          recordImport(raw as ImportTaskResult, {
            path,
            origin,
            duplicate: request.duplicate,
          }),
      });
      return { jobId };
    },

    async 'datasets.list'() {
      return store.datasets.list();
    },

    async 'datasets.get'({ id }) {
      return requireDataset(id);
    },

    async 'datasets.rename'({ id, name }) {
      const renamed = store.datasets.rename(id, name);
      ctx.bus.emit('dataset.changed', { datasetId: id, change: 'renamed' });
      return renamed;
    },

    async 'datasets.delete'({ id, deleteRuns }) {
      const dataset = requireDataset(id);
      const busy = ctx.jobs.list().find((j) => j.datasetId === id);
      if (busy) throw conflict(`dataset ${id} is in use by a ${busy.kind} job; cancel it first`);
      const runIds = store.runs.list({ datasetId: id, limit: 100_000 }).map((r) => r.id);
      if (runIds.length > 0 && !deleteRuns) {
        throw conflict(
          `"${dataset.name}" is used by ${runIds.length} run${runIds.length === 1 ? '' : 's'}; deleting it ` +
            'also deletes them (their metrics, checkpoints and the exports kept in the data folder). ' +
            'Confirm with deleteRuns: true.',
          { runCount: runIds.length },
        );
      }
      store.datasets.remove(id);
      await rm(dataLayout.datasetDir(ctx.dataDir, id), { recursive: true, force: true });
      for (const runId of runIds) {
        await rm(dataLayout.runDir(ctx.dataDir, runId), { recursive: true, force: true });
        await rm(dataLayout.exportDir(ctx.dataDir, runId), { recursive: true, force: true });
      }
      ctx.bus.emit('dataset.changed', { datasetId: id, change: 'deleted' });
      return { deleted: true, runsDeleted: runIds.length };
    },

    async 'datasets.samples'({ id, split, indices, classIndex, offset, limit }) {
      requireDataset(id);
      const { readDatasetSamples } = await import('../../engine/data/cache');
      return readDatasetSamples(dataLayout.datasetDir(ctx.dataDir, id), {
        split,
        offset,
        limit,
        ...(indices === undefined ? {} : { indices }),
        ...(classIndex === undefined ? {} : { classIndex }),
      });
    },

    async 'datasets.exportImages'({ id, outDir }) {
      requireDataset(id);
      const jobId = ctx.jobs.submit({
        kind: 'dataset-export',
        task: 'exportDatasetTask',
        datasetId: id,
        input: { datasetId: id, outDir },
      });
      return { jobId };
    },
  };
}
