// What kill -9 leaves behind is swept at the next start — by PruneLab's own names and a dead owner pid,
// only in folders PruneLab owns or created. Real processes are killed with SIGKILL mid-work: a serve
// process with an upload under way, a checkpoint writer, a model-state writer mid-swap, an export mid-
// replacement beside a user's files. Then the services start on the same data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectExportFolder, inspectExportZip } from '../../src/main/engine/export/outputFolder';
import { loadLatestCheckpoint, loadModelState } from '../../src/main/engine/train';
import { sweepLeftovers } from '../../src/main/engine/files/sweepLeftovers';
import { createAppServices } from '../../src/main/services';
import {
  callText,
  killAt,
  repoRoot,
  scratchFree,
  traceFileCalls,
  type TraceLine,
} from '../helpers/syscallKill';
import { rawRequest } from '../server/http';
import { expectedWeights } from '../engine/train/checkpointState';

const checkpointChild = join(repoRoot, 'tests', 'engine', 'train', 'checkpointChild.ts');
const exportChild = join(repoRoot, 'tests', 'engine', 'export', 'exportChild.ts');

let root: string;
let dataDir: string;
let user: string;
let sleeper: ChildProcess;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'prunelab-leftovers-'));
  dataDir = join(root, 'data');
  user = join(root, 'user');
  await mkdir(dataDir);
  await mkdir(user);
  sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
});
afterAll(async () => {
  sleeper.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

/** Every file and folder under `dir`, with the sha256 of each file. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = entry.isDirectory()
      ? 'dir'
      : createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
  }
  return out;
}

const scratchIn = async (dir: string) =>
  (await readdir(dir, { recursive: true })).filter((p) => /\.(partial|old)-\d+/.test(basename(p)));

/** `prunelab serve`, killed with SIGKILL after one file of an upload arrived. */
async function killServeMidUpload(): Promise<number> {
  const serve = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin', 'prunelab.js'),
      'serve',
      '--api-only',
      '--port',
      '0',
      '--no-open',
      '--data-dir',
      dataDir,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    serve.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    serve.on('exit', (code) => reject(new Error(`serve exited early (${code})`)));
  });
  const port = Number(url.port);
  const headers = { 'x-prunelab-token': url.searchParams.get('token') ?? '' };
  const created = await rawRequest(port, { method: 'POST', path: '/api/uploads', headers });
  const { uploadId } = (created.json() as { value: { uploadId: string } }).value;
  const put = await rawRequest(port, {
    method: 'PUT',
    path: `/api/uploads/${uploadId}?path=${encodeURIComponent('pets/cats/1.png')}`,
    headers,
    body: Buffer.alloc(5000, 7),
  });
  expect(put.status).toBe(200);
  const gone = new Promise((resolve) => serve.once('exit', resolve));
  serve.kill('SIGKILL');
  await gone;
  return serve.pid!;
}

/** Traces `script` once, then kills a fresh run of it at the first call `pick` chooses. */
async function killAtFirst(
  script: string,
  args: (run: string) => string[],
  pick: (line: TraceLine) => boolean,
  name: string,
): Promise<void> {
  const traced = await traceFileCalls(script, args(join(root, `${name}-trace`)), join(root, `${name}.trace`));
  expect(traced.exit.code, traced.exit.stderr).toBe(0);
  const point = traced.calls.find(pick);
  expect(point, `${name}: the call to kill at`).toBeDefined();
  const { exit, killedAt } = await killAt(script, args(dataDir), point!, join(root, `${name}.kill`));
  expect(exit.signal, `${name}: killed (${exit.stderr})`).toBe('SIGKILL');
  const tracedBase = join(root, `${name}-trace`);
  expect(scratchFree(callText(killedAt!)).replaceAll(user, 'U').replaceAll(dataDir, 'D')).toBe(
    scratchFree(callText(point!)).replaceAll(`${tracedBase}-user`, 'U').replaceAll(tracedBase, 'D'),
  );
}

describe('leftovers of processes killed with SIGKILL', () => {
  it('are swept at the next start; a live process’s scratch and the user’s files are left alone', async () => {
    // 1. serve mode, mid-upload
    const servePid = await killServeMidUpload();
    const session = join(dataDir, 'uploads', (await readdir(join(dataDir, 'uploads')))[0]!);
    expect(session).toMatch(new RegExp(`/uploads/${servePid}-[0-9a-f]{16}$`));
    expect(Object.keys(await tree(session)).some((p) => p.endsWith('/pets/cats/1.png'))).toBe(true);

    // 2. a checkpoint writer, killed as it publishes epoch 2: its complete scratch folder stays behind
    const checkpoints = (base: string) => [join(base, 'runs', 'r1', 'checkpoints')];
    await mkdir(join(root, 'checkpoint-trace', 'runs', 'r1', 'checkpoints'), { recursive: true });
    await mkdir(join(dataDir, 'runs', 'r1', 'checkpoints'), { recursive: true });
    await killAtFirst(
      checkpointChild,
      checkpoints,
      (c) => c.call === 'rename' && /epoch-0002"/.test(c.text),
      'checkpoint',
    );
    expect(await scratchIn(join(dataDir, 'runs', 'r1', 'checkpoints'))).toHaveLength(1);

    // 3. a model-state writer, killed between moving the old state aside and putting the new one in place
    const modelArgs = (base: string) => [join(base, 'runs', 'r2'), 'model'];
    // rename(partial → model) is tried first, refused (the old state is there), and made again after the
    // old one is moved aside: the second one is the moment to kill at.
    let tries = 0;
    await killAtFirst(
      checkpointChild,
      modelArgs,
      (c) => c.call === 'rename' && /\.model\.partial-[^"]+", "[^"]+\/model"/.test(c.text) && ++tries === 2,
      'model',
    );
    expect((await readdir(join(dataDir, 'runs', 'r2'))).sort()).toEqual([
      expect.stringMatching(/^\.model\.old-\d+-[0-9a-f]{8}$/),
      expect.stringMatching(/^\.model\.partial-\d+-[0-9a-f]{8}$/),
    ]);

    // 4. an export beside the user's files, killed as it puts the new export in the old one's place
    await writeFile(join(user, 'thesis.tex'), 'four years of work');
    const exportArgs = (base: string) => [
      base,
      base === dataDir ? join(user, 'model') : `${base}-user/model`,
    ];
    await mkdir(`${join(root, 'export-trace')}-user`, { recursive: true });
    let attempts = 0;
    await killAtFirst(
      exportChild,
      exportArgs,
      (c) =>
        c.call === 'rename' && /\.model\.partial-[^"]+", "[^"]+\/model"/.test(c.text) && ++attempts === 2,
      'export',
    );
    expect((await scratchIn(user)).length).toBeGreaterThan(0);
    expect((await readdir(join(dataDir, 'scratch'))).length).toBeGreaterThan(0);

    // Scratch that must stay: a live process's, and decoys in the user's folder nobody noted.
    const live = join(dataDir, 'runs', 'r9', 'checkpoints', `.epoch-0001.partial-${sleeper.pid}-0123abcd`);
    await mkdir(live, { recursive: true });
    await writeFile(join(live, 'loop.json'), '{}');
    const liveSession = join(dataDir, 'uploads', `${sleeper.pid}-0123456789abcdef`);
    await mkdir(liveSession);
    const decoy = join(user, `.notes.partial-${servePid}-0123abcd`);
    await mkdir(decoy);
    await writeFile(join(decoy, 'keep.txt'), 'mine');
    // A planted journal note naming the user's folder itself is not honoured.
    await writeFile(
      join(dataDir, 'scratch', `${servePid}-0badc0de.json`),
      JSON.stringify({ pid: servePid, path: user, kind: 'folder' }),
    );
    const userBefore = await tree(user);

    // The next start.
    const services = await createAppServices({ dataDir, mode: 'cli' });
    const swept = services.sweptAtStart;
    await services.close();

    expect(await readdir(join(dataDir, 'uploads'))).toEqual([`${sleeper.pid}-0123456789abcdef`]);
    expect(await readdir(join(dataDir, 'runs', 'r1', 'checkpoints'))).toEqual(['epoch-0001']);
    const checkpoint = await loadLatestCheckpoint(join(dataDir, 'runs', 'r1', 'checkpoints'));
    expect(checkpoint?.loop.epochsCompleted).toBe(1);
    checkpoint?.model.dispose();
    tf.dispose([...(checkpoint?.masks?.values() ?? []), ...(checkpoint?.optimizer.slots.flat() ?? [])]);

    // the old model state is back under its name, whole
    expect(await readdir(join(dataDir, 'runs', 'r2'))).toEqual(['model']);
    const state = await loadModelState(join(dataDir, 'runs', 'r2', 'model'));
    expect(state.model.weights.map((w) => w.read().dataSync() as Float32Array)).toEqual(expectedWeights(1));
    state.model.dispose();
    tf.dispose([...(state.masks?.values() ?? [])]);

    // the earlier export is back in place, whole; its zip is one whole export; nothing else was touched
    expect(await inspectExportFolder(join(user, 'model'))).toMatchObject({
      kind: 'export',
      summary: expect.stringContaining('tfjs float32'),
    });
    expect((await inspectExportZip(join(user, 'model.zip'))).kind).toBe('export');
    const userAfter = await tree(user);
    expect(
      Object.keys(userAfter).filter((p) => /\.(partial|old)-/.test(p) && !p.startsWith('.notes')),
    ).toEqual([]);
    expect(userAfter['thesis.tex']).toBe(userBefore['thesis.tex']);
    expect(userAfter[`.notes.partial-${servePid}-0123abcd/keep.txt`]).toBe(
      userBefore[`.notes.partial-${servePid}-0123abcd/keep.txt`],
    );

    expect(await readdir(live)).toEqual(['loop.json']);
    expect(await readdir(join(dataDir, 'scratch'))).toEqual([]);
    expect(swept.restored.sort()).toEqual([join(dataDir, 'runs', 'r2', 'model'), join(user, 'model')].sort());
    expect(swept.removed).toContain(session);
  });

  it('in the temp folder, only PruneLab’s own names with a dead owner go; imports that never finished go too', async () => {
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => dead.once('exit', resolve));
    const temp = join(root, 'temp');
    const names = {
      deadParity: `prunelab-parity-${dead.pid}-a1B2c3`,
      deadWorker: `prunelab-tfjs-wasm-worker-${dead.pid}.cjs`,
      liveDense: `prunelab-dense-${sleeper.pid}-z9Y8x7`,
      unnamed: 'prunelab-dense-q1W2e3',
      someoneElse: `other-${dead.pid}-a1B2c3`,
    };
    await mkdir(join(temp, names.deadParity), { recursive: true });
    await writeFile(join(temp, names.deadWorker), '//');
    await mkdir(join(temp, names.liveDense));
    await mkdir(join(temp, names.unnamed));
    await mkdir(join(temp, names.someoneElse));
    const importing = join(dataDir, 'datasets', `.importing-ds1-${dead.pid}-1700000000000`);
    await mkdir(join(importing, 'spool'), { recursive: true });

    const swept = await sweepLeftovers(dataDir, { tempDir: temp });
    expect((await readdir(temp)).sort()).toEqual([names.liveDense, names.someoneElse, names.unnamed].sort());
    expect(swept.removed).toContain(importing);
    expect(await readdir(join(dataDir, 'datasets'))).toEqual([]);
  });
});
