// `prunelab import <path>`: runs the import doctor on a folder, IDX files or CIFAR batches and prints
// its report; the dataset lands in the shared store.
import { resolve } from 'node:path';
import type { DatasetDetail } from '../../../shared/dto';
import { CliError, type CliCommand } from '../command';
import { importDataset, numberOption, openServices } from '../session';

export function parseSplit(raw: string): { train: number; validation: number; test: number } {
  const parts = raw.split('/').map((p) => Number(p));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0)) {
    throw new CliError(`--split must look like 80/10/10, got "${raw}"`, { exitCode: 2, code: 'USAGE' });
  }
  const total = parts.reduce((a, b) => a + b, 0);
  const [train, validation, test] = parts.map((p) => p / total) as [number, number, number];
  return { train, validation, test };
}

export function importSummary(detail: DatasetDetail) {
  return {
    datasetId: detail.id,
    classes: detail.classes.map((c) => ({ name: c.name, count: c.count })),
    imported: detail.imported,
    skipped: detail.skipped,
    problems: detail.problems.map((p) => ({ path: p.path, reason: p.reason })),
    warnings: detail.warnings,
  };
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import a dataset (class folders, IDX or CIFAR) and print the import doctor’s report',
  usage:
    'prunelab import <path> [--name N] [--size PX] [--channels 1|3] [--resize crop|pad|stretch] [--split 80/10/10] [--seed S] [--json]',
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    size: { type: 'string' },
    channels: { type: 'string' },
    resize: { type: 'string' },
    split: { type: 'string' },
    seed: { type: 'string' },
  },
  async run({ values, positionals, dataDir, io }) {
    const [path, ...extra] = positionals;
    if (!path || extra.length > 0)
      throw new CliError(`give exactly one path\nUsage: ${importCommand.usage}`, {
        exitCode: 2,
        code: 'USAGE',
      });
    const channels = numberOption(values, 'channels', 'int');
    if (channels !== undefined && channels !== 1 && channels !== 3) {
      throw new CliError('--channels must be 1 or 3', { exitCode: 2, code: 'USAGE' });
    }
    const size = numberOption(values, 'size', 'int');
    const seed = numberOption(values, 'seed', 'int');
    const resize = values.resize as string | undefined;
    const services = await openServices(dataDir);
    try {
      const detail = await importDataset(
        services,
        {
          path: resolve(io.cwd, path),
          ...(values.name ? { name: values.name as string } : {}),
          ...(size === undefined ? {} : { size }),
          ...(channels === undefined ? {} : { channels: channels as 1 | 3 }),
          ...(resize === undefined ? {} : { resizeMode: resize as 'crop' }),
          ...(values.split ? { split: parseSplit(values.split as string) } : {}),
          ...(seed === undefined ? {} : { seed }),
        },
        io,
      );
      printReport(detail, io.out);
      return importSummary(detail);
    } finally {
      await services.close();
    }
  },
};

function printReport(d: DatasetDetail, out: (line: string) => void) {
  const [h, w, c] = d.inputShape;
  out(`Dataset ${d.name} (${d.id}) from ${d.sourcePath}`);
  out(`  ${d.imported} images imported, ${d.skipped} skipped · ${h}×${w}×${c} · ${d.kind}`);
  out(`  split: train ${d.split.train} · validation ${d.split.validation} · test ${d.split.test}`);
  out('  classes:');
  for (const cls of d.classes) out(`    ${cls.name.padEnd(24)} ${String(cls.count).padStart(7)}`);
  if (d.problems.length > 0) {
    out(`  problems (${d.problems.length}):`);
    for (const p of d.problems.slice(0, 50))
      out(`    ${p.reason.padEnd(16)} ${p.path}${p.detail ? ` — ${p.detail}` : ''}`);
    if (d.problems.length > 50) out(`    … and ${d.problems.length - 50} more (use --json for all)`);
  }
  for (const w of d.warnings) out(`  warning: ${w}`);
}
