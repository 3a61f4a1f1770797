// `prunelab runs …` and `prunelab datasets …` through the real binary, worker and engine: the history the
// app shows, managed from a terminal — listed, shown, renamed, resumed, cancelled from another process,
// deleted — each with its --json last line.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tinyDataset } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-cli-history-'));
const dataDir = join(dir, 'home');
const source = tinyDataset(dir, 2, 12);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli([...args, '--data-dir', dataDir]);
const ids: { dataset?: string; train?: string; prune?: string } = {};

describe('prunelab datasets', () => {
  it('lists nothing on a new data folder, then the imported dataset with its run count', async () => {
    const empty = await cli('datasets', 'list', '--json');
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.json).toEqual({ datasets: [] });
    expect((await cli('datasets', 'list')).stdout).toContain('No datasets yet');

    const imported = await cli('import', source, '--json');
    expect(imported.code, imported.stderr).toBe(0);
    ids.dataset = imported.json.datasetId as string;
    const listed = await cli('datasets', 'list', '--json');
    expect(listed.json.datasets).toEqual([
      expect.objectContaining({ id: ids.dataset, name: 'tiny', imported: 24, classes: 2, runCount: 0 }),
    ]);
    const text = await cli('datasets', 'list');
    expect(text.stdout).toMatch(new RegExp(`${ids.dataset}\\s+tiny\\s+24\\s+2\\s+28×28×1\\s+folder\\s+0`));
  });

  it('shows one by id or by name, with where its split came from', async () => {
    const byName = await cli('datasets', 'show', 'TINY', '--json');
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.json).toMatchObject({ datasetId: ids.dataset, name: 'tiny', imported: 24, runCount: 0 });
    const text = await cli('datasets', 'show', ids.dataset!);
    expect(text.stdout).toContain(`Dataset tiny (${ids.dataset})`);
    expect(text.stdout).toContain(`source: ${source}`);
    expect(text.stdout).toContain('seeded, stratified (seed 42)');
    const missing = await cli('datasets', 'show', 'nope', '--json');
    expect(missing.code).toBe(1);
    expect(missing.json).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: 'no dataset with id or name "nope"; `prunelab datasets list` shows the imported datasets',
      },
    });
  });

  it('renames (a name of several words needs no quotes); a taken name is refused', async () => {
    const renamed = await cli('datasets', 'rename', 'tiny', 'tiny', 'shoes', '--json');
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.json).toEqual({ datasetId: ids.dataset, name: 'tiny shoes', previousName: 'tiny' });
    const again = await cli('import', tinyDataset(join(dir, 'other'), 3, 4), '--name', 'other', '--json');
    expect(again.code, again.stderr).toBe(0);
    const clash = await cli('datasets', 'rename', 'other', 'Tiny Shoes', '--json');
    expect(clash.code).toBe(1);
    expect(clash.json).toMatchObject({ error: { code: 'CONFLICT' } });
    expect(clash.stderr).toContain('a dataset named "Tiny Shoes" already exists');
    const blank = await cli('datasets', 'rename', 'other', ' ');
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain('the new name must be 1 to 200 characters');
    expect((await cli('datasets', 'delete', 'other', '--json')).json).toEqual({
      datasetId: again.json.datasetId,
      deleted: true,
      runsDeleted: 0,
    });
  });
});

describe('prunelab runs', () => {
  it('lists the runs a train and a prune made, filtered by kind, status and dataset (by name)', async () => {
    const train = await cli(
      'train',
      '--dataset',
      'tiny shoes', // by its name
      '--preset',
      'lenet5',
      '--epochs',
      '1',
      '--batch',
      '8',
      '--json',
    );
    expect(train.code, train.stderr).toBe(0);
    ids.train = train.json.runId as string;
    const prune = await cli(
      'prune',
      '--from',
      ids.train,
      '--sparsity',
      '0.5',
      '--finetune-epochs',
      '1',
      '--criterion',
      'magnitude',
      '--json',
    );
    expect(prune.code, prune.stderr).toBe(0);
    ids.prune = prune.json.runId as string;

    const all = await cli('runs', 'list', '--json');
    expect(all.code, all.stderr).toBe(0);
    expect((all.json.runs as { id: string }[]).map((r) => r.id)).toEqual([ids.prune, ids.train]);
    expect(all.json.runs).toContainEqual(
      expect.objectContaining({
        id: ids.prune,
        kind: 'prune',
        status: 'done',
        parentRunId: ids.train,
        datasetName: 'tiny shoes',
        sparsity: expect.closeTo(0.5, 2),
      }),
    );
    const pruned = await cli('runs', 'list', '--kind', 'prune', '--dataset', 'tiny shoes', '--json');
    expect((pruned.json.runs as { id: string }[]).map((r) => r.id)).toEqual([ids.prune]);
    expect((await cli('runs', 'list', '--status', 'failed', '--json')).json).toEqual({ runs: [] });
    const text = await cli('runs', 'list');
    expect(text.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+KIND\s+STATUS\s+DATASET/);
    expect(text.stdout).toContain('magnitude 50% · tiny shoes');
    const bad = await cli('runs', 'list', '--kind', 'dense');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--kind must be one of train, prune, sensitivity, got "dense"');
  });

  it('shows a run with its parent, configuration, accuracy, sparsity and exports', async () => {
    const exported = await cli('export', '--run', ids.prune!, '--encoding', 'uint8', '--json');
    expect(exported.code, exported.stderr).toBe(0);
    const shown = await cli('runs', 'show', ids.prune!);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`Run magnitude 50% · tiny shoes (${ids.prune}) — prune, done`);
    expect(shown.stdout).toContain(`parent     lenet5 · tiny shoes (${ids.train})`);
    // no --schedule: the default, gradual with its steps from the fine-tune budget, and a rate that starts
    // at 5× the training rate (the default --lr, 0.001) and decays once the last prune step is behind it
    expect(shown.stdout).toMatch(
      /pruning\s+magnitude · sparsity 50.0% · global scope · gradual, steps from the fine-tune budget · unstructured · fine-tune \d+ epochs? at 5× the training rate \(0\.005\), cosine decay after the last prune step/,
    );
    expect(shown.stdout).toMatch(
      /exports\s+TF.js uint8 · gzip .* parity (ok|FAILED) — top-1 agreement .* \(needs ≥ 90%\)/,
    );
    const json = await cli('runs', 'show', ids.prune!, '--json');
    expect(json.json).toMatchObject({
      id: ids.prune,
      parentRunId: ids.train,
      status: 'done',
      exports: [expect.objectContaining({ format: 'tfjs', encoding: 'uint8' })],
    });
    expect(json.json).not.toHaveProperty('metrics');
    const missing = await cli('runs', 'show', 'nosuchrun', '--json');
    expect(missing.code).toBe(1);
    expect(missing.json).toEqual({ error: { code: 'NOT_FOUND', message: 'no run with id nosuchrun' } });
  });

  it('cancels a run another prunelab process is training, and resumes it here', async () => {
    const trainer = startCli([
      'train',
      '--dataset',
      ids.dataset!,
      '--preset',
      'lenet5',
      '--epochs',
      '60',
      '--batch',
      '4',
      '--name',
      'long one',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    const runId = (await trainer.stderrMatch(/train: run (\S+) queued/))[1]!;
    await trainer.stderrMatch(/train epoch 1 /);
    const cancelled = await cli('runs', 'cancel', runId, '--json');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.json).toEqual({ runId, previousStatus: 'running', status: 'cancelled' });
    // the process that was training it stops its job and says so
    expect(await trainer.exited).toBe(130);
    expect(trainer.stderr).toContain('train cancelled');
    expect(JSON.parse(trainer.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      error: { code: 'CANCELLED' },
    });
    expect((await cli('runs', 'cancel', runId)).stderr).toContain(`run ${runId} is already cancelled`);

    const resumed = await cli('runs', 'resume', runId, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json).toMatchObject({ runId, status: 'done' });
    expect(resumed.stderr).toContain('training… done');
  }, 600_000);

  it('deletes a run, saying which exports went and which runs lost their parent', async () => {
    const deleted = await cli('runs', 'delete', ids.train!, '--json');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.json).toEqual({
      runId: ids.train,
      deleted: true,
      exportsRemoved: 0,
      orphanedChildren: [ids.prune],
    });
    const text = await cli('runs', 'delete', ids.prune!);
    expect(text.stdout).toContain(`Deleted run magnitude 50% · tiny shoes (${ids.prune})`);
    expect(text.stdout).toContain('removed the export TF.js uint8');
    expect(existsSync(join(dataDir, 'exports', ids.prune!))).toBe(false);
  });

  it('refuses to delete a dataset its runs use unless told to delete them too', async () => {
    const refused = await cli('datasets', 'delete', 'tiny shoes', '--json');
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ error: { code: 'CONFLICT', details: { runCount: 1 } } });
    expect(refused.stderr).toContain('"tiny shoes" is used by 1 run: deleting it also deletes that run');
    const deleted = await cli('datasets', 'delete', 'tiny shoes', '--yes');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain('Deleted the dataset "tiny shoes"');
    expect(deleted.stdout).toContain('and its 1 run.');
    expect(deleted.stdout).toContain(`The source images in ${source} were not touched.`);
    expect(existsSync(source)).toBe(true);
  });

  it('says what to do with a bad subcommand, a missing id or an option of another subcommand', async () => {
    const none = await cli('runs');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('say what to do: list, show, resume, cancel, delete');
    expect((await cli('runs', 'show')).stderr).toContain('missing <id>');
    const wrong = await cli('datasets', 'show', 'x', '--yes');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--yes is not an option of `prunelab datasets show`');
  });
});
