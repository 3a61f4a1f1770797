// One import in a fresh process, so its peak RSS is the import's own: prints {seconds, peakRssMiB, imported}.
//   tsx bench/importChild.ts <source folder> <data dir>
import { importDataset } from '../src/main/engine/data/importDataset';
import { importOptions } from '../src/shared/schemas';

const [source, dataDir] = process.argv.slice(2);
if (!source || !dataDir) throw new Error('usage: importChild.ts <source> <dataDir>');
const started = performance.now();
const detail = await importDataset('bench', importOptions.parse({ path: source }), {
  signal: new AbortController().signal,
  dataDir,
  emit: () => {},
});
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    imported: detail.imported,
    skipped: detail.skipped,
    reasons: detail.problems.reduce<Record<string, number>>(
      (acc, p) => ({ ...acc, [p.reason]: (acc[p.reason] ?? 0) + 1 }),
      {},
    ),
  }),
);
