// `prunelab runs list|show|resume|cancel|delete`: the run history from the command line — the same runs
// the app shows, in the same data folder.
import type { RunSummary } from '../../../shared/dto';
import { dataLayout } from '../../engine/types';
import { commandGroup, type Subcommand } from '../commandGroup';
import { numberOption, withFlags, type FlagMap } from '../flags';
import { call, followJob, percent, withServices } from '../session';
import { resolveDataset } from '../datasetRef';
import { exportLine, printRunDetail, printRunTable, runListItem } from '../runReport';

const listFlags: FlagMap = { status: 'status', kind: 'kind', criterion: 'criterion', limit: 'limit' };

const list: Subcommand = {
  name: 'list',
  summary: 'the runs, newest first',
  usage:
    'prunelab runs list [--dataset <id|name>] [--status queued|running|done|failed|cancelled|interrupted] ' +
    '[--kind train|prune|sensitivity] [--criterion taylor|gradient|magnitude|random] [--limit N] [--json]',
  options: {
    dataset: { type: 'string' },
    status: { type: 'string' },
    kind: { type: 'string' },
    criterion: { type: 'string' },
    limit: { type: 'string' },
  },
  args: [],
  run: ({ values, dataDir, io }) =>
    withServices(dataDir, async (services) => {
      const limit = numberOption(values, 'limit', 'int');
      const dataset = values.dataset ? resolveDataset(services, values.dataset as string) : null;
      const runs = await withFlags(listFlags, values, () =>
        call(services, 'runs.list', {
          ...(dataset ? { datasetId: dataset.id } : {}),
          ...(values.status ? { status: values.status as RunSummary['status'] } : {}),
          ...(values.kind ? { kind: values.kind as RunSummary['kind'] } : {}),
          ...(values.criterion ? { criterion: values.criterion as 'taylor' } : {}),
          ...(limit === undefined ? {} : { limit }),
        }),
      );
      if (runs.length === 0) io.out('No runs yet: `prunelab train` or `prunelab prune` make one.');
      else printRunTable(runs, io.out);
      return { runs: runs.map(runListItem) };
    }),
};

const show: Subcommand = {
  name: 'show',
  summary: 'one run: configuration, timeline, accuracy, sparsity, exports',
  usage: 'prunelab runs show <id> [--json]',
  args: ['id'],
  run: ({ args, dataDir, io }) =>
    withServices(dataDir, async (services) => {
      const run = await call(services, 'runs.get', { id: args.id! });
      const parent = run.parentRunId ? services.store.runs.get(run.parentRunId) : null;
      printRunDetail(run, parent?.name ?? null, io.out);
      const { metrics: _series, pruneSteps, sensitivity: _curves, artifacts, ...summary } = run;
      return {
        ...summary,
        pruneSteps: pruneSteps.map((s) => ({
          step: s.step,
          targetSparsity: s.targetSparsity,
          achievedSparsity: s.achievedSparsity,
        })),
        exports: artifacts.map((a) => ({
          id: a.id,
          format: a.format,
          encoding: a.encoding,
          path: a.path,
          zipPath: a.zipPath,
          bytes: a.bytes,
          gzipBytes: a.gzipBytes,
          createdAt: a.createdAt,
          parity: a.parity,
        })),
      };
    }),
};

const resume: Subcommand = {
  name: 'resume',
  summary: 'continue an interrupted, failed or cancelled run from its last checkpoint, here',
  usage: 'prunelab runs resume <id> [--json]',
  args: ['id'],
  run: ({ args, dataDir, io }) =>
    withServices(dataDir, async (services) => {
      const { runId, jobId } = await call(services, 'runs.resume', { id: args.id! });
      io.err(`resume: run ${runId} queued (it continues from its last checkpoint)`);
      await followJob(services, jobId, io, 'resume');
      const run = await call(services, 'runs.get', { id: runId });
      io.out(`Run ${run.name} (${run.id}) ${run.status}`);
      io.out(
        `  test accuracy ${percent(run.evaluation?.accuracy)}${run.sparsity === null ? '' : ` · sparsity ${percent(run.sparsity)}`}`,
      );
      return {
        runId,
        status: run.status,
        testAccuracy: run.evaluation?.accuracy ?? null,
        sparsity: run.sparsity,
      };
    }),
};

const cancel: Subcommand = {
  name: 'cancel',
  summary: 'stop a queued or running run, whichever PruneLab process runs it (app, serve or CLI)',
  usage: 'prunelab runs cancel <id> [--json]',
  args: ['id'],
  run: ({ args, dataDir, io }) =>
    withServices(dataDir, async (services) => {
      const before = await call(services, 'runs.get', { id: args.id! });
      await call(services, 'runs.cancel', { id: before.id });
      const after = await call(services, 'runs.get', { id: before.id });
      io.out(
        `Run ${after.name} (${after.id}) was ${before.status}; now ${after.status}. \`prunelab runs resume ${after.id}\` continues it.`,
      );
      return { runId: after.id, previousStatus: before.status, status: after.status };
    }),
};

const remove: Subcommand = {
  name: 'delete',
  summary: 'delete a stopped run with its metrics, checkpoints and the exports in the data folder',
  usage: 'prunelab runs delete <id> [--json]',
  args: ['id'],
  run: ({ args, dataDir, io }) =>
    withServices(dataDir, async (services) => {
      const run = await call(services, 'runs.get', { id: args.id! });
      const children = services.store.runs.list({ parentRunId: run.id, limit: 100_000 });
      // runs.delete removes the run's export folder in the data folder; exports saved elsewhere stay.
      const exportDir = dataLayout.exportDir(dataDir, run.id);
      const inData = run.artifacts.filter((a) => a.path.startsWith(`${exportDir}/`));
      await call(services, 'runs.delete', { id: run.id });
      io.out(`Deleted run ${run.name} (${run.id}) with its metrics and checkpoints.`);
      for (const a of inData) io.out(`  removed the export ${exportLine(a)}`);
      const elsewhere = run.artifacts.filter((a) => !inData.includes(a));
      for (const a of elsewhere) io.out(`  kept the export you saved at ${a.zipPath ?? a.path}`);
      if (children.length > 0)
        io.out(
          `  ${children.length} run${children.length === 1 ? ' was' : 's were'} pruned from it; ${children.length === 1 ? 'it keeps its' : 'they keep their'} results, without a parent.`,
        );
      return {
        runId: run.id,
        deleted: true,
        exportsRemoved: inData.length,
        orphanedChildren: children.map((c) => c.id),
      };
    }),
};

export const runsCommand = commandGroup('runs', 'list, show, resume, cancel or delete runs', [
  list,
  show,
  resume,
  cancel,
  remove,
]);
