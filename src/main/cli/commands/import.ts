// `prunelab import <path>`: runs the import doctor on a folder, IDX files or CIFAR batches and prints
// its report; the dataset lands in the shared store.
import { resolve } from 'node:path';
import { resizeMode as resizeModes } from '../../../shared/schemas';
import { type CliCommand } from '../command';
import { datasetSummary, printDatasetReport } from '../datasetReport';
import { choiceOption, flagError, numberOption, usageError, withFlags, type FlagMap } from '../flags';
import { importDataset, openServices } from '../session';

export function parseSplit(raw: string): { train: number; validation: number; test: number } {
  const parts = raw.split('/').map((p) => Number(p));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0)) {
    throw flagError('split', 'three shares like 80/10/10', raw);
  }
  const total = parts.reduce((a, b) => a + b, 0);
  const [train, validation, test] = parts.map((p) => p / total) as [number, number, number];
  return { train, validation, test };
}

/** The import payload's fields, by the flag that sets them. */
const importFlags: FlagMap = {
  name: 'name',
  size: 'size',
  channels: 'channels',
  resizeMode: 'resize',
  split: 'split',
  seed: 'seed',
};

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import a dataset (class folders, IDX or CIFAR) and print the import doctor’s report',
  usage:
    'prunelab import <path> [--name N] [--size PX] [--channels 1|3] [--resize crop|pad|stretch] [--split 80/10/10] [--seed S] [--copy] [--json]',
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    size: { type: 'string' },
    channels: { type: 'string' },
    resize: { type: 'string' },
    split: { type: 'string' },
    seed: { type: 'string' },
    copy: { type: 'boolean', default: false },
  },
  async run({ values, positionals, dataDir, io }) {
    const [path, ...extra] = positionals;
    if (!path || extra.length > 0) throw usageError('give exactly one path', importCommand.usage);
    const channels = choiceOption(values, 'channels', ['1', '3'] as const);
    const size = numberOption(values, 'size', 'int');
    const seed = numberOption(values, 'seed', 'int');
    const resize = choiceOption(values, 'resize', resizeModes.options);
    const services = await openServices(dataDir);
    try {
      const { dataset, reused } = await withFlags(importFlags, values, () =>
        importDataset(
          services,
          {
            path: resolve(io.cwd, path),
            ...(values.name ? { name: values.name as string } : {}),
            ...(size === undefined ? {} : { size }),
            ...(channels === undefined ? {} : { channels: Number(channels) as 1 | 3 }),
            ...(resize === undefined ? {} : { resizeMode: resize }),
            ...(values.split ? { split: parseSplit(values.split as string) } : {}),
            ...(seed === undefined ? {} : { seed }),
            duplicate: values.copy === true ? 'copy' : 'reuse',
          },
          io,
        ),
      );
      if (reused) {
        io.out(`Already imported: the same content is the dataset "${dataset.name}" (${dataset.id}).`);
        io.out('  Nothing new was kept. Use it by its id, or import a second copy with --copy.');
      } else printDatasetReport(dataset, io.out);
      return { ...datasetSummary(dataset), reused };
    } finally {
      await services.close();
    }
  },
};
