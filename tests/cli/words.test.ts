// What the CLI says, through the real binary: stages in words that visibly finish, flag errors that name
// the flag and what it allows, an unknown dataset id, a busy port, required flags, an import whose every
// file was left out (the doctor's list in text and JSON), and no tfjs console banner.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStage } from '../../src/shared/stages';
import { runCli, startCli, tinyDataset } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-cli-words-'));
const dataDir = join(dir, 'home');
const source = tinyDataset(dir, 2, 10);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli([...args, '--data-dir', dataDir]);

describe('progress in words', () => {
  it('names every stage of a prune in words and closes each one with "done"', async () => {
    const run = await cli(
      'prune',
      '--dataset',
      source,
      '--preset',
      'lenet5',
      '--epochs',
      '1',
      '--batch',
      '8',
      '--sparsity',
      '0.5',
      '--finetune-epochs',
      '1',
    );
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stderr.split('\n');
    const stages: [Parameters<typeof describeStage>[0], string][] = [
      ['import', 'decode'],
      ['import', 'write'],
      ['train', 'train'],
      ['train', 'evaluate'],
      ['prune', 'evaluate-dense'],
      ['prune', 'prune'],
      ['prune', 'finetune'],
      ['prune', 'evaluate'],
    ];
    for (const [kind, phase] of stages) {
      const words = describeStage(kind, phase);
      expect(
        lines.some((l) => l.startsWith(`${words}…`)),
        `${words} shown`,
      ).toBe(true);
      expect(lines, `${words} finished`).toContain(`${words}… done`);
    }
    // a stage that started always finished: every "<stage>…" line has its "<stage>… done"
    const started = new Set(lines.filter((l) => l.includes('… ')).map((l) => l.slice(0, l.indexOf('…'))));
    for (const stage of started) expect(lines).toContain(`${stage}… done`);
    expect(run.stderr).not.toMatch(/evaluate-dense|prune: prune|\b0\/1\b/);
  });
});

describe('flag errors', () => {
  it('name the flag, what it allows and what it got, exit 2, and start no work', async () => {
    const criterion = await cli(
      'prune',
      '--dataset',
      source,
      '--criterion',
      'foo',
      '--sparsity',
      '0.5',
      '--json',
    );
    expect(criterion.code).toBe(2);
    expect(criterion.stderr).toContain(
      'prunelab: --criterion must be one of fisher, taylor, gradient, movement, magnitude, lamp, random, got "foo"',
    );
    expect(criterion.json).toMatchObject({ error: { code: 'USAGE' } });
    const epochs = await cli('train', '--dataset', join(dir, 'never-imported'), '--epochs', '0');
    expect(epochs.code).toBe(2);
    expect(epochs.stderr).toContain('--epochs must be at least 1, got "0"');
    expect(epochs.stderr).not.toContain('import');
    const lr = await cli('train', '--dataset', source, '--lr', 'fast');
    expect(lr.stderr).toContain('--lr must be a number, got "fast"');
    const preset = await cli('train', '--dataset', source, '--preset', 'resnet');
    expect(preset.stderr).toContain('--preset must be one of keras-cifar-cnn, lenet5, vgg-bn, got "resnet"');
    const encoding = await cli('export', '--run', 'r1', '--encoding', 'int4');
    expect(encoding.stderr).toContain('--encoding must be one of float32, float16, uint8, got "int4"');
    const port = await cli('serve', '--port', 'eighty');
    expect(port.stderr).toContain(
      '--port must be a number from 0 to 65535 (0 = any free port), got "eighty"',
    );
    expect(port.code).toBe(2);
  });

  it('a flag the usage shows as required is required', async () => {
    const target = await cli('prune', '--dataset', source);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain('say how much to prune: --sparsity S');
    expect(target.stderr).toContain(
      'Usage: prunelab prune (--dataset <path|id|name> | --from <train run id>) (--sparsity S | --threshold T)',
    );
    const what = await cli('prune', '--sparsity', '0.5');
    expect(what.code).toBe(2);
    expect(what.stderr).toContain('say what to prune: --dataset <path|id|name>');
    const both = await cli('prune', '--dataset', source, '--from', 'r1', '--sparsity', '0.5');
    expect(both.stderr).toContain('give --dataset or --from, not both');
    const run = await cli('export');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--run <id> is required');
  });

  it('an unknown dataset id says so instead of naming a missing path', async () => {
    const run = await cli('train', '--dataset', 'abc123XYZ', '--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no dataset with id abc123XYZ');
    expect(run.stderr).not.toContain('Nothing found at');
    expect(run.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('serve', () => {
  let blocker: Server;
  afterAll(() => new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve())));

  it('a busy port says so and suggests --port', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    const run = await cli('serve', '--port', String(port), '--api-only', '--no-open', '--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(run.stderr).toContain('choose another with --port N, or --port 0 for any free port');
    expect(run.json).toMatchObject({ error: { code: 'PORT_IN_USE' } });
  });

  it('never prints tfjs’s "install tfjs-node" banner, even when presets are counted in the server', async () => {
    const server = startCli(['serve', '--api-only', '--port', '0', '--json', '--data-dir', dataDir]);
    const url = (await server.stderrMatch(/serving at (\S+)/))[1]!;
    const base = new URL(url);
    const token = base.searchParams.get('token')!;
    const ask = async (name: string, payload: unknown) =>
      (await fetch(new URL(`/api/request/${name}`, base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-prunelab-token': token },
        body: JSON.stringify(payload),
      }).then((r) => r.json())) as { ok: boolean };
    expect((await ask('presets.list', { inputShape: [28, 28, 1], classes: 10 })).ok).toBe(true);
    expect((await ask('system.info', {})).ok).toBe(true);
    server.child.kill('SIGINT');
    await server.exited;
    expect(server.stderr).not.toContain('looks like you are running TensorFlow.js in Node.js');
    expect(server.stderr).not.toContain('====');
  });
});

describe('an import whose every file is left out', () => {
  it('shows the doctor’s list of files and reasons, in text and in the JSON error', async () => {
    const broken = join(dir, 'broken');
    for (const cls of ['cat', 'dog']) {
      mkdirSync(join(broken, cls), { recursive: true });
      writeFileSync(join(broken, cls, 'one.png'), 'not a png at all');
      writeFileSync(join(broken, cls, 'two.jpg'), '');
    }
    const run = await cli('import', broken, '--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Class folders 'cat', 'dog'");
    expect(run.stderr).toContain('4 file(s) were left out, listed below');
    expect(run.stderr).toContain('left out (4):');
    expect(run.stderr).toMatch(/not-an-image\s+cat\/one\.png/);
    expect(run.stderr).toMatch(/empty-file\s+dog\/two\.jpg/);
    expect(run.json).toMatchObject({ error: { code: 'IMPORT_FAILED' } });
    const problems = (run.json.error as { details: { problems: { path: string; reason: string }[] } }).details
      .problems;
    expect(problems.map((p) => [p.path, p.reason]).sort()).toEqual([
      ['cat/one.png', 'not-an-image'],
      ['cat/two.jpg', 'empty-file'],
      ['dog/one.png', 'not-an-image'],
      ['dog/two.jpg', 'empty-file'],
    ]);
  });
});
