// datasets.*: import (a job), list, get, delete (row, runs and cache), samples (read from the cache),
// exportImages (a job writing class folders of PNGs).
import { rm } from 'node:fs/promises';
import type { Handlers } from '../../../shared/api';
import type { DatasetDetail } from '../../../shared/dto';
import { dataLayout } from '../../engine/types';
import type { ServiceContext } from '../context';
import { conflict, notFound } from '../errors';

type DatasetHandlers = Pick<
  Handlers,
  | 'datasets.import'
  | 'datasets.list'
  | 'datasets.get'
  | 'datasets.delete'
  | 'datasets.samples'
  | 'datasets.exportImages'
>;

const MAX_RECENT = 9;

export function createDatasetHandlers(ctx: ServiceContext): DatasetHandlers {
  const { store } = ctx;

  function requireDataset(id: string): DatasetDetail {
    const dataset = store.datasets.get(id);
    if (!dataset) throw notFound('dataset', id);
    return dataset;
  }

  return {
    async 'datasets.import'(options) {
      const datasetId = store.newId();
      const jobId = ctx.jobs.submit({
        kind: 'import',
        task: 'importTask',
        datasetId,
        input: { datasetId, options },
        onDone: (raw) => {
          const detail = store.datasets.save(raw as DatasetDetail);
          const recent = store.settings.get().recentDatasets.filter((p) => p !== options.path);
          store.settings.update({ recentDatasets: [options.path, ...recent].slice(0, MAX_RECENT) });
          return {
            events: () => ctx.bus.emit('dataset.changed', { datasetId: detail.id, change: 'imported' }),
          };
        },
      });
      return { jobId };
    },

    async 'datasets.list'() {
      return store.datasets.list();
    },

    async 'datasets.get'({ id }) {
      return requireDataset(id);
    },

    async 'datasets.delete'({ id }) {
      requireDataset(id);
      const busy = ctx.jobs.list().find((j) => j.datasetId === id);
      if (busy) throw conflict(`dataset ${id} is in use by a ${busy.kind} job; cancel it first`);
      const runIds = store.runs.list({ datasetId: id, limit: 100_000 }).map((r) => r.id);
      store.datasets.remove(id);
      await rm(dataLayout.datasetDir(ctx.dataDir, id), { recursive: true, force: true });
      for (const runId of runIds) {
        await rm(dataLayout.runDir(ctx.dataDir, runId), { recursive: true, force: true });
        await rm(dataLayout.exportDir(ctx.dataDir, runId), { recursive: true, force: true });
      }
      ctx.bus.emit('dataset.changed', { datasetId: id, change: 'deleted' });
      return { deleted: true };
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
