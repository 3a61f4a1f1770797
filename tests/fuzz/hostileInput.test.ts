// The hostile-input session: 1,000 generated API payloads and upload sequences, 16 at a time, against a
// real `prunelab serve` process on the real services. No crash; a typed error for every bad request;
// nothing written outside the data directory; the upload folder within its cap and the server's memory
// bounded; the store's integrity check ok afterwards. Seeded: a failure names its seed and case number,
// and `npm run fuzz -- --seed S --only N` replays it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzzCaps } from './caps';
import { runHostileSession } from './session';

const seed = Number(process.env.PRUNELAB_FUZZ_SEED ?? 20_251_130);
const root = mkdtempSync(join(tmpdir(), 'prunelab-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('hostile input against a real serve-mode server', () => {
  it(`survives 1,000 generated requests and upload sequences (seed ${seed})`, async () => {
    const report = await runHostileSession({ seed, cases: 1000, concurrency: 16, root });
    expect(report.failures, `replay: npm run fuzz -- --seed ${seed} --only <case>`).toEqual([]);
    expect(report.steps).toBeGreaterThanOrEqual(1000);
    // Every cap was really reached, so the refusals above were tested, not assumed.
    const answers = Object.keys(report.outcomes).join('\n');
    for (const reached of [
      'body too large: LIMIT jsonBytes',
      'sweep over the queue cap: LIMIT queuedJobs',
      'upload sequence: LIMIT fileBytes',
      'upload sequence: LIMIT uploads',
      'upload sequence: VALIDATION',
      'upload sequence: ok',
      'hostile pollution: VALIDATION',
      'missing id: NOT_FOUND',
      'valid read: ok',
    ])
      expect(answers).toContain(reached);
    // No crash: it answered to the end and stopped cleanly on SIGINT, with nothing on stderr.
    expect(report.exitCode).toBe(0);
    expect(report.serverErrors).toBe('');
    // Nothing outside the data directory — not even in the server's own temp folder.
    expect(report.outsideFiles).toEqual([]);
    // Disk: uploads never held more than their cap; memory: bodies are streamed or capped at 1 MiB.
    expect(report.peakUploadBytes).toBeLessThanOrEqual(fuzzCaps.maxTotalBytes);
    if (report.peakRssMiB !== null && report.baselineRssMiB !== null)
      expect(report.peakRssMiB - report.baselineRssMiB).toBeLessThan(128);
    expect(report.integrity).toBe('ok');
    expect(report.foreignKeyProblems).toBe(0);
  });
});
