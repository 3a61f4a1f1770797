// `npm run fuzz [-- --seed N] [--cases N] [--concurrency N] [--only i,j]`: one hostile-input session
// (session.ts) against a real serve-mode server; prints each failure, then one JSON line of figures.
// Exits 1 when any request got a wrong answer or a cap was broken.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fuzzCaps } from './caps';
import { runHostileSession } from './session';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    cases: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    only: { type: 'string' },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const root = mkdtempSync(join(tmpdir(), 'prunelab-fuzz-'));
try {
  const report = await runHostileSession({
    seed,
    cases: Number(values.cases),
    concurrency: Number(values.concurrency),
    root,
    ...(values.only ? { only: values.only.split(',').map(Number) } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  for (const f of report.failures)
    process.stderr.write(`case ${f.case} (${f.family}) step ${f.step}: ${f.why} — ${f.answer}\n`);
  const capsHeld =
    report.peakUploadBytes <= fuzzCaps.maxTotalBytes &&
    report.outsideFiles.length === 0 &&
    report.integrity === 'ok' &&
    report.exitCode === 0;
  const { outcomes: _outcomes, failures, ...figures } = report;
  process.stdout.write(`${JSON.stringify({ ...figures, failures: failures.length, capsHeld })}\n`);
  process.exitCode = failures.length === 0 && capsHeld ? 0 : 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
