// A dataset as the CLI shows it — `prunelab import` after importing, `prunelab datasets show` any time:
// where it came from, its size, split and classes, then the doctor's findings.
import { describeSource, describeSplit } from '../../shared/datasetWords';
import type { DatasetDetail } from '../../shared/dto';
import { problemLines } from './doctorLines';

/** The --json summary of a dataset. */
export function datasetSummary(d: DatasetDetail) {
  return {
    datasetId: d.id,
    name: d.name,
    classes: d.classes.map((c) => ({ name: c.name, count: c.count })),
    imported: d.imported,
    skipped: d.skipped,
    problems: d.problems.map((p) => ({ path: p.path, reason: p.reason })),
    warnings: d.warnings,
  };
}

export function printDatasetReport(d: DatasetDetail, out: (line: string) => void): void {
  const [h, w, c] = d.inputShape;
  out(`Dataset ${d.name} (${d.id})`);
  out(`  source: ${describeSource(d)}`);
  out(`  ${d.imported} images imported, ${d.skipped} skipped · ${h}×${w}×${c} · ${d.kind}`);
  out(
    `  split: train ${d.split.train} · validation ${d.split.validation} · test ${d.split.test} — ${describeSplit(d)}`,
  );
  out(`  runs: ${d.runCount}`);
  out('  classes:');
  for (const cls of d.classes) out(`    ${cls.name.padEnd(24)} ${String(cls.count).padStart(7)}`);
  for (const line of problemLines(d.problems)) out(line);
  for (const warning of d.warnings) out(`  warning: ${warning}`);
}
