// exports.*: create (a job that writes, measures and parity-checks one artifact) and list.
import type { Handlers } from '../../../shared/api';
import type { ExportTaskResult } from '../../engine/tasks/exportTask';
import { assertExportTarget } from '../../engine/export/outputFolder';
import { dataLayout } from '../../engine/types';
import type { ServiceContext } from '../context';
import { conflict, notFound } from '../errors';

type ExportHandlers = Pick<Handlers, 'exports.create' | 'exports.list'>;

export function createExportHandlers(ctx: ServiceContext): ExportHandlers {
  const { store } = ctx;
  return {
    async 'exports.create'({ runId, format, encoding, outDir, zip, overwrite }) {
      const run = store.runs.get(runId);
      if (!run) throw notFound('run', runId);
      const state = store.runs.state(runId);
      if (run.status !== 'done' || !state?.modelDir) {
        throw conflict(`run ${runId} is ${run.status}; only a finished run with a model can be exported`);
      }
      if (run.kind === 'sensitivity')
        throw conflict(`run ${runId} is a sensitivity analysis; it has no model to export`);
      // The default folder is PruneLab's own: an earlier export of the same encoding there is replaced.
      const target = outDir ?? `${dataLayout.exportDir(ctx.dataDir, runId)}/${format}-${encoding}`;
      const replace = outDir === undefined || overwrite;
      // Refused now, before minutes of work; the worker checks again at the moment it replaces.
      await assertExportTarget({ outDir: target, zipPath: zip ? `${target}.zip` : null, overwrite: replace });
      const parentId = run.parentRunId;
      const denseModelDir = parentId ? (store.runs.state(parentId)?.modelDir ?? null) : null;
      const jobId = ctx.jobs.submit({
        kind: 'export',
        task: 'exportTask',
        runId,
        datasetId: run.datasetId,
        input: {
          runId,
          modelDir: state.modelDir,
          denseModelDir,
          datasetId: run.datasetId,
          format,
          encoding,
          outDir: target,
          zip,
          overwrite: replace,
          runConfig: run.config,
          appVersion: ctx.appVersion,
        },
        onDone: (raw) => {
          const result = raw as ExportTaskResult;
          const artifact = store.artifacts.create({
            runId,
            format,
            encoding,
            path: result.path,
            zipPath: result.zipPath,
            bytes: result.bytes,
            gzipBytes: result.gzipBytes,
            sha256: result.sha256,
            sizes: result.sizes,
            parity: result.parity,
          });
          return { artifactId: artifact.id };
        },
      });
      return { jobId };
    },

    async 'exports.list'({ runId }) {
      if (!store.runs.get(runId)) throw notFound('run', runId);
      return store.artifacts.listByRun(runId);
    },
  };
}
