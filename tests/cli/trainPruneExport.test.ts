// The --json last-line contracts of train, prune and export, through the real binary, worker and engine
// on a tiny dataset — and the runs they create are in the store the app reads.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppServices } from '../../src/main/services';
import type { RunSummary } from '../../src/shared/dto';
import { runCli, tinyDataset } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-cli-tpe-'));
const dataDir = join(dir, 'home');
const source = tinyDataset(dir, 3, 20);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ids: { train?: string; prune?: string } = {};

describe('prunelab train / prune / export --json', () => {
  it('train: the last line holds runId, backend, epochs, testAccuracy, testLoss', async () => {
    const run = await runCli([
      'train',
      '--dataset',
      source,
      '--preset',
      'lenet5',
      '--epochs',
      '1',
      '--batch',
      '8',
      '--seed',
      '3',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const j = run.json;
    expect(typeof j.runId).toBe('string');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(j.backend);
    expect(j.epochs).toBe(1);
    expect(Number.isFinite(j.testLoss)).toBe(true);
    // the printed accuracy is the stored evaluation's, and that is its confusion matrix's diagonal share
    const shown = await runCli(['runs', 'show', j.runId as string, '--json', '--data-dir', dataDir]);
    const confusion = (shown.json as { evaluation: { confusion: number[][] } }).evaluation.confusion;
    const total = confusion.flat().reduce((a, b) => a + b, 0);
    const right = confusion.reduce((a, row, c) => a + row[c]!, 0);
    expect(total).toBeGreaterThan(0);
    expect(j.testAccuracy).toBeCloseTo(right / total, 12);
    expect(run.stderr).toContain('train epoch 1');
    ids.train = j.runId as string;
  });

  it('prune --from: the last line holds the accuracies, achieved sparsity, zero revived weights and layers', async () => {
    expect(ids.train).toBeDefined();
    const run = await runCli(
      [
        'prune',
        '--from',
        ids.train!,
        '--criterion',
        'magnitude',
        '--sparsity',
        '0.5',
        '--finetune-epochs',
        '1',
        '--finetune-lr-scale',
        '1.5',
        '--json',
      ],
      { env: { PRUNELAB_HOME: dataDir } },
    );
    expect(run.code, run.stderr).toBe(0);
    const j = run.json;
    for (const key of [
      'runId',
      'denseAccuracy',
      'prunedAccuracy',
      'accuracy',
      'sparsity',
      'revivedWeights',
      'layers',
    ]) {
      expect(j, key).toHaveProperty(key);
    }
    expect(j.parentRunId).toBe(ids.train);
    expect(j.revivedWeights).toBe(0);
    expect(j.sparsity as number).toBeGreaterThan(0.45);
    expect(j.sparsity as number).toBeLessThan(0.55);
    const layers = j.layers as { name: string; weights: number; kept: number; sparsity: number }[];
    expect(layers.length).toBeGreaterThan(0);
    for (const l of layers) {
      expect(Object.keys(l).sort()).toEqual(['kept', 'name', 'sparsity', 'weights']);
      expect(l.kept).toBeLessThanOrEqual(l.weights);
    }
    ids.prune = j.runId as string;
    const shown = await runCli(['runs', 'show', ids.prune, '--json'], { env: { PRUNELAB_HOME: dataDir } });
    expect(shown.code, shown.stderr).toBe(0);
    expect((shown.json.config as { prune: { finetuneLrScale: number } }).prune.finetuneLrScale).toBe(1.5);
  });

  it('prune --finetune-lr-scale refuses a scale that is not a positive number up to 100, naming the flag', async () => {
    for (const raw of ['0', '-2', '250', 'fast']) {
      const run = await runCli(
        ['prune', '--from', ids.train!, '--sparsity', '0.5', `--finetune-lr-scale=${raw}`, '--json'],
        { env: { PRUNELAB_HOME: dataDir } },
      );
      expect(run.code, `${raw}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain('--finetune-lr-scale');
    }
  });

  it('export: tfjs and onnx with the size table and a passing parity check', async () => {
    expect(ids.prune).toBeDefined();
    for (const format of ['tfjs', 'onnx']) {
      const out = join(dir, `out-${format}`);
      const run = await runCli([
        'export',
        '--run',
        ids.prune!,
        '--format',
        format,
        '--out',
        out,
        '--json',
        '--data-dir',
        dataDir,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const j = run.json as {
        path: string;
        sizes: { export: { gzipBytes: number }; dense: { gzipBytes: number } };
        parity: { ok: boolean; top1Agreement: number };
      };
      expect(j.path).toBe(out);
      expect(j.sizes.export.gzipBytes).toBeGreaterThan(0);
      expect(j.sizes.export.gzipBytes).toBeLessThan(j.sizes.dense.gzipBytes);
      expect(j.parity.ok).toBe(true);
      expect(j.parity.top1Agreement).toBe(1);
    }
  });

  it('export of an unknown run fails with NOT_FOUND as the last line and a non-zero exit code', async () => {
    const run = await runCli(['export', '--run', 'nope', '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('left every run in the shared store, where the app sees it', async () => {
    const services = await createAppServices({ dataDir, mode: 'electron' });
    try {
      const result = await services.dispatch('runs.list', {});
      expect(result.ok).toBe(true);
      const runs = (result as { value: RunSummary[] }).value;
      expect(runs.map((r) => r.id).sort()).toEqual([ids.train, ids.prune].sort());
      expect(runs.every((r) => r.status === 'done')).toBe(true);
      const exports = await services.dispatch('exports.list', { runId: ids.prune });
      expect((exports as { value: unknown[] }).value).toHaveLength(2);
    } finally {
      await services.close();
    }
  });
  it('export --out . never replaces a folder it did not write; --force replaces only its own earlier export', async () => {
    expect(ids.prune).toBeDefined();
    const thesis = join(dir, 'thesis');
    mkdirSync(join(thesis, 'src'), { recursive: true });
    writeFileSync(join(thesis, 'thesis.tex'), 'four years of work');
    writeFileSync(join(thesis, 'src', 'main.c'), 'int main(void) { return 0; }');
    writeFileSync(join(thesis, 'metadata.json'), '{"title": "my thesis"}');
    for (const force of [[], ['--force']]) {
      const run = await runCli(['export', '--run', ids.prune!, '--out', '.', ...force, '--json'], {
        cwd: thesis,
        env: { PRUNELAB_HOME: dataDir },
      });
      expect(run.code, run.stderr).toBe(1);
      expect(run.json).toMatchObject({
        error: { code: 'CONFLICT', message: expect.stringMatching(/is not a PruneLab export .*thesis\.tex/) },
      });
    }
    expect(readdirSync(thesis).sort()).toEqual(['metadata.json', 'src', 'thesis.tex']);
    expect(readFileSync(join(thesis, 'thesis.tex'), 'utf8')).toBe('four years of work');

    const out = join(dir, 'out-tfjs');
    const args = [
      'export',
      '--run',
      ids.prune!,
      '--out',
      out,
      '--encoding',
      'uint8',
      '--json',
      '--data-dir',
      dataDir,
    ];
    const refused = await runCli(args);
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({
      error: { code: 'CONFLICT', message: expect.stringMatching(/already holds a PruneLab export.*--force/) },
    });
    expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).encoding).toBe('float32');
    const forced = await runCli([...args, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).encoding).toBe('uint8');
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
