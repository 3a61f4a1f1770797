// `prunelab datasets list|show|rename|delete`: the imported datasets from the command line. A dataset is
// named by its id or its name (names are unique).
import { ApiError } from '../../../shared/errors';
import { commandGroup, type Subcommand } from '../commandGroup';
import { CliError } from '../command';
import { datasetSummary, printDatasetReport } from '../datasetReport';
import { resolveDataset } from '../datasetRef';
import { usageError } from '../flags';
import { call, withServices } from '../session';

const list: Subcommand = {
  name: 'list',
  summary: 'the imported datasets, newest first',
  usage: 'prunelab datasets list [--json]',
  args: [],
  run: ({ dataDir, io }) =>
    withServices(dataDir, async (services) => {
      const datasets = await call(services, 'datasets.list', {});
      if (datasets.length === 0) io.out('No datasets yet: `prunelab import <folder>` brings one in.');
      else {
        const width = Math.min(40, Math.max(4, ...datasets.map((d) => d.name.length)));
        io.out(
          `${'ID'.padEnd(14)} ${'NAME'.padEnd(width)} ${'IMAGES'.padStart(8)} CLASSES  SHAPE     KIND    RUNS  IMPORTED`,
        );
        for (const d of datasets) {
          const [h, w, c] = d.inputShape;
          io.out(
            `${d.id.padEnd(14)} ${d.name.padEnd(width)} ${String(d.imported).padStart(8)} ${String(d.classes.length).padStart(7)}  ` +
              `${`${h}×${w}×${c}`.padEnd(9)} ${d.kind.padEnd(7)} ${String(d.runCount).padStart(4)}  ${d.createdAt.slice(0, 10)}`,
          );
        }
      }
      return {
        datasets: datasets.map((d) => ({
          id: d.id,
          name: d.name,
          kind: d.kind,
          origin: d.origin,
          sourcePath: d.sourcePath,
          imported: d.imported,
          skipped: d.skipped,
          classes: d.classes.length,
          inputShape: d.inputShape,
          runCount: d.runCount,
          contentHash: d.contentHash,
          createdAt: d.createdAt,
        })),
      };
    }),
};

const show: Subcommand = {
  name: 'show',
  summary: 'one dataset: source, split, classes and the import doctor’s findings',
  usage: 'prunelab datasets show <id|name> [--json]',
  args: ['dataset'],
  restIsLastArg: true,
  run: ({ args, dataDir, io }) =>
    withServices(dataDir, async (services) => {
      const detail = await call(services, 'datasets.get', { id: resolveDataset(services, args.dataset!).id });
      printDatasetReport(detail, io.out);
      return { ...datasetSummary(detail), runCount: detail.runCount, contentHash: detail.contentHash };
    }),
};

const rename: Subcommand = {
  name: 'rename',
  summary: 'give a dataset another (unique) name; run names that carry it follow',
  usage: 'prunelab datasets rename <id|name> <new name> [--json]',
  args: ['dataset', 'name'],
  restIsLastArg: true,
  run: ({ args, dataDir, io }) =>
    withServices(dataDir, async (services) => {
      const before = resolveDataset(services, args.dataset!);
      const renamed = await call(services, 'datasets.rename', { id: before.id, name: args.name! }).catch(
        (err: unknown) => {
          if (err instanceof ApiError && err.code === 'VALIDATION')
            throw usageError('the new name must be 1 to 200 characters, not only spaces', rename.usage);
          throw err;
        },
      );
      io.out(`Renamed "${before.name}" to "${renamed.name}" (${renamed.id}).`);
      if (renamed.runCount > 0) io.out(`  Its ${renamed.runCount} run(s) show the new name.`);
      return { datasetId: renamed.id, name: renamed.name, previousName: before.name };
    }),
};

const remove: Subcommand = {
  name: 'delete',
  summary: 'delete a dataset’s cache (and, with --yes, the runs that use it); the source is never touched',
  usage: 'prunelab datasets delete <id|name> [--yes] [--json]',
  options: { yes: { type: 'boolean' } },
  args: ['dataset'],
  restIsLastArg: true,
  run: ({ args, values, dataDir, io }) =>
    withServices(dataDir, async (services) => {
      const dataset = resolveDataset(services, args.dataset!);
      const runs = dataset.runCount;
      if (runs > 0 && values.yes !== true)
        throw new CliError(
          `"${dataset.name}" is used by ${runs} run${runs === 1 ? '' : 's'}: deleting it also deletes ` +
            `${runs === 1 ? 'that run' : 'those runs'} with their metrics, checkpoints and the exports kept in the ` +
            'data folder (exports you saved elsewhere and the source images are not touched). ' +
            `Run \`prunelab datasets delete ${dataset.id} --yes\` to delete them all.`,
          { code: 'CONFLICT', details: { runCount: runs } },
        );
      const { runsDeleted } = await call(services, 'datasets.delete', {
        id: dataset.id,
        deleteRuns: runs > 0,
      });
      io.out(
        `Deleted the dataset "${dataset.name}" (${dataset.id})${runsDeleted > 0 ? ` and its ${runsDeleted} run${runsDeleted === 1 ? '' : 's'}` : ''}.`,
      );
      if (dataset.origin === 'path') io.out(`  The source images in ${dataset.sourcePath} were not touched.`);
      return { datasetId: dataset.id, deleted: true, runsDeleted };
    }),
};

export const datasetsCommand = commandGroup('datasets', 'list, show, rename or delete imported datasets', [
  list,
  show,
  rename,
  remove,
]);
