import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { runCli, tinyDataset } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-cli-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prunelab import --json', () => {
  it('prints the doctor report as the last stdout line and stores the dataset in the data dir', async () => {
    const source = tinyDataset(dir, 2, 6);
    writeFileSync(join(source, 'Ankle boot', 'broken.png'), 'not a png at all');
    const dataDir = join(dir, 'home');
    const run = await runCli(['import', source, '--json'], { env: { PRUNELAB_HOME: dataDir } });
    expect(run.code, run.stderr).toBe(0);
    expect(Object.keys(run.json).sort()).toEqual([
      'classes',
      'datasetId',
      'imported',
      'name',
      'problems',
      'reused',
      'skipped',
      'warnings',
    ]);
    expect(run.json).toMatchObject({ name: 'tiny', reused: false });
    expect(run.json.classes).toEqual([
      { name: 'Ankle boot', count: 6 },
      { name: 'Bag', count: 6 },
    ]);
    expect(run.json.imported).toBe(12);
    expect(run.json.skipped).toBe(1);
    expect(run.json.problems).toEqual([{ path: 'Ankle boot/broken.png', reason: 'not-an-image' }]);
    // The same store the app reads: the dataset row is in <dataDir>/prunelab.db.
    const db = new Database(join(dataDir, 'prunelab.db'), { readonly: true });
    const row = db.prepare('SELECT id, imported FROM datasets').get() as { id: string; imported: number };
    db.close();
    expect(row).toEqual({ id: run.json.datasetId, imported: 12 });
  });

  it('works when started from any folder, not only the project (the worker finds its loader itself)', async () => {
    const source = tinyDataset(join(dir, 'elsewhere-source'), 2, 3);
    const cwd = mkdtempSync(join(tmpdir(), 'prunelab-cli-cwd-'));
    try {
      const run = await runCli(['import', source, '--json', '--data-dir', join(cwd, 'data')], { cwd });
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.imported).toBe(6);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('offers the existing dataset when the same content is imported again; --copy keeps a second one', async () => {
    const dataDir = join(dir, 'home-again');
    const source = tinyDataset(join(dir, 'again'), 2, 5);
    const first = await runCli(['import', source, '--json', '--data-dir', dataDir]);
    expect(first.code, first.stderr).toBe(0);
    // the same images in another folder are the same content
    const elsewhere = tinyDataset(join(dir, 'again-copy'), 2, 5);
    const again = await runCli(['import', elsewhere, '--data-dir', dataDir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      `Already imported: the same content is the dataset "tiny" (${first.json.datasetId}).`,
    );
    expect(again.stdout).toContain('import a second copy with --copy');
    const json = await runCli(['import', elsewhere, '--json', '--data-dir', dataDir]);
    expect(json.json).toMatchObject({ datasetId: first.json.datasetId, name: 'tiny', reused: true });
    const copy = await runCli(['import', elsewhere, '--copy', '--json', '--data-dir', dataDir]);
    expect(copy.json).toMatchObject({ name: 'tiny (2)', reused: false });
    expect(copy.json.datasetId).not.toBe(first.json.datasetId);
    const db = new Database(join(dataDir, 'prunelab.db'), { readonly: true });
    const names = db.prepare('SELECT name FROM datasets ORDER BY created_at').all();
    db.close();
    expect(names).toEqual([{ name: 'tiny' }, { name: 'tiny (2)' }]);
  });

  it('fails with a clear message, a non-zero exit code and an error JSON line on a bad path', async () => {
    const run = await runCli([
      'import',
      join(dir, 'does-not-exist'),
      '--json',
      '--data-dir',
      join(dir, 'home2'),
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('prunelab: import failed:');
    expect(run.json).toMatchObject({ error: { code: 'IMPORT_FAILED' } });
  });
});
