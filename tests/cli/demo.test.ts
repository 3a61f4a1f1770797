// `prunelab demo` end to end — import → train → prune (taylor 80%) → evaluate → export tfjs + ONNX — on a
// tiny slice of the bundled sample so the test stays cheap; `time npm run demo` measures the real one.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { percent } from '../../src/main/cli/session';
import { runCli, tinyDataset } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-cli-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prunelab demo', () => {
  it('runs the whole loop and prints a readable summary, with the figures as the JSON line', async () => {
    const sample = tinyDataset(dir, 3, 20);
    const dataDir = join(dir, 'home');
    const human = await runCli([
      'demo',
      '--sample',
      sample,
      '--epochs',
      '1',
      '--finetune-epochs',
      '1',
      '--data-dir',
      dataDir,
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('PruneLab demo — summary');
    expect(human.stdout).toMatch(/accuracy\s+dense \d+\.\d% .*→ fine-tuned \d+\.\d%/);
    expect(human.stdout).toMatch(/sparsity\s+80\.\d% of prunable weights/);
    expect(human.stdout).toMatch(/tfjs\s+gzip .* parity ok/);
    expect(human.stdout).toMatch(/onnx\s+gzip .* parity ok/);

    // Same data dir again with --json: the dataset is imported anew, the summary is one JSON object.
    const run = await runCli([
      'demo',
      '--sample',
      sample,
      '--epochs',
      '1',
      '--finetune-epochs',
      '1',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const j = run.json as {
      sparsity: number;
      revivedWeights: number;
      denseAccuracy: number;
      accuracy: number;
      exports: {
        format: string;
        path: string;
        gzipBytes: number;
        denseGzipBytes: number;
        parity: { ok: boolean };
      }[];
    };
    expect(j.sparsity).toBeCloseTo(0.8, 2);
    expect(j.revivedWeights).toBe(0);
    // the JSON's figures are the summary's: the same seed on the same images trains the same models
    expect(human.stdout).toContain(`dense ${percent(j.denseAccuracy)}`);
    expect(human.stdout).toContain(`fine-tuned ${percent(j.accuracy)}`);
    expect(j.exports.map((e) => e.format)).toEqual(['tfjs', 'onnx']);
    for (const e of j.exports) {
      expect(e.parity.ok).toBe(true);
      expect(e.gzipBytes).toBeLessThan(e.denseGzipBytes);
      expect(existsSync(e.path)).toBe(true);
    }
  });
});
