// Checkpoints survive a crash or a power cut at any point of their writing. A real process writes them
// (checkpointChild.ts); strace records its file calls, then kills it with SIGKILL at each one in turn.
// - Power cut: what is not flushed may be lost, so every file and folder of a checkpoint must be flushed
//   before the rename that publishes it, the rename flushed (its folder fsynced) before the previous
//   checkpoint is removed. Checked on the recorded calls, in order.
// - Crash: after a kill at any call the newest checkpoint loads, whole and exactly as saved.
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLatestCheckpoint } from '../../../src/main/engine/train';
import { runPool } from '../../../src/main/engine/data/pool';
import { callText, killAt, scratchFree, traceFileCalls, type TraceLine } from '../../helpers/syscallKill';
import { expectedWeights } from './checkpointState';

const child = join(import.meta.dirname, 'checkpointChild.ts');
let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'prunelab-durable-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The paths a call names: quoted arguments and the files behind its descriptors (strace -y). */
function pathsOf(line: TraceLine): string[] {
  return [...callText(line).matchAll(/"([^"]+)"|[(, ]<([^>]+)>/g)].map((m) => m[1] ?? m[2] ?? '');
}

const touches = (line: TraceLine, dir: string) =>
  pathsOf(line).some((p) => p === dir || p.startsWith(`${dir}/`));

async function checkpointsDir(name: string): Promise<string> {
  const dir = join(root, name, 'runs', 'r1', 'checkpoints');
  await mkdir(dir, { recursive: true });
  return dir;
}

/** The work's own calls: those of the thread that published the checkpoint, on the checkpoints folder. */
function workCalls(calls: TraceLine[], dir: string): TraceLine[] {
  const publish = calls.find((c) => c.call === 'rename' && pathsOf(c)[1] === `${dir}/epoch-0002`);
  expect(publish, 'the checkpoint was published by a rename').toBeDefined();
  return calls.filter((c) => c.tid === publish!.tid && touches(c, dir));
}

async function expectCheckpoint(dir: string, epoch: number): Promise<void> {
  const loaded = await loadLatestCheckpoint(dir);
  expect(loaded, `a checkpoint to resume from in ${dir}`).not.toBeNull();
  const { model, masks, optimizer, loop, meta } = loaded!;
  try {
    expect(loop.epochsCompleted).toBe(epoch);
    expect(meta.epochsCompleted).toBe(epoch);
    expect(optimizer.step).toBe(epoch * 10);
    expect(model.weights.map((w) => w.read().dataSync() as Float32Array)).toEqual(expectedWeights(epoch));
    const mask = [...masks!.values()][0]!.dataSync();
    expect(mask.every((v) => v === epoch % 2)).toBe(true);
    expect(optimizer.slots[1]![0]!.dataSync().every((v) => v === epoch + 1)).toBe(true);
  } finally {
    model.dispose();
    tf.dispose([...(masks?.values() ?? []), ...optimizer.slots.flat()]);
  }
}

describe('checkpoint durability, on a real process', () => {
  it('flushes every file and folder before publishing, the rename before removing the previous checkpoint', async () => {
    const dir = await checkpointsDir('trace');
    const { exit, calls } = await traceFileCalls(child, [dir], join(root, 'trace.txt'));
    expect(exit.code, exit.stderr).toBe(0);
    const work = workCalls(calls, dir);
    const flushed = (path: string, before: number) =>
      work.findIndex((c, i) => i < before && c.call === 'fsync' && scratchFree(pathsOf(c)[0]!) === path);
    const publish = work.findIndex((c) => c.call === 'rename' && pathsOf(c)[1] === `${dir}/epoch-0002`);

    const created = work
      .filter((c) => c.call === 'openat' && /O_CREAT/.test(c.text))
      .map((c) => scratchFree(pathsOf(c)[0]!));
    expect(created.map((p) => p.slice(dir.length + 1)).sort()).toEqual([
      'epoch-0002/loop.json',
      'epoch-0002/model/masks.bin',
      'epoch-0002/model/model.json',
      'epoch-0002/model/weights.bin',
      'epoch-0002/optimizer.bin',
      'epoch-0002/optimizer.json',
    ]);
    for (const path of [...created, `${dir}/epoch-0002`, `${dir}/epoch-0002/model`])
      expect(
        flushed(path, publish),
        `${path} is flushed before the checkpoint is published`,
      ).toBeGreaterThanOrEqual(0);

    const renameFlushed = work.findIndex(
      (c, i) => i > publish && c.call === 'fsync' && pathsOf(c)[0] === dir,
    );
    expect(renameFlushed, 'the checkpoints folder is flushed after the rename').toBeGreaterThan(publish);
    const firstRemoval = work.findIndex(
      (c) => /^(unlink|unlinkat|rmdir)$/.test(c.call) && pathsOf(c)[0]!.startsWith(`${dir}/epoch-0001`),
    );
    expect(firstRemoval, 'the previous checkpoint is removed').toBeGreaterThan(0);
    expect(firstRemoval, '…only once the new one is on disk').toBeGreaterThan(renameFlushed);
  });

  it('killed at any file call of a save, it leaves a checkpoint that loads whole: the previous one or the new one', async () => {
    const traced = await checkpointsDir('points');
    const { exit, calls } = await traceFileCalls(child, [traced], join(root, 'points.txt'));
    expect(exit.code, exit.stderr).toBe(0);
    const work = workCalls(calls, traced);
    const publish = work.findIndex((c) => c.call === 'rename' && pathsOf(c)[1] === `${traced}/epoch-0002`);
    // Every call that changes what is on disk or flushes it (writes into a file are covered by the
    // creation before them and the flush after them).
    const points = work
      .map((line, index) => ({ line, index }))
      .filter(
        ({ line }) =>
          /^(mkdir|fsync|rename|unlink|unlinkat|rmdir)$/.test(line.call) ||
          (line.call === 'openat' && /O_CREAT/.test(line.text)),
      );
    expect(points.length).toBeGreaterThan(10);

    const failures: string[] = [];
    await runPool(points, 3, async ({ line, index }, k) => {
      const dir = await checkpointsDir(`kill-${k}`);
      const { exit: killed, killedAt } = await killAt(child, [dir], line, join(root, `kill-${k}.txt`));
      const expected = scratchFree(callText(line)).replaceAll(traced, 'DIR');
      const actual = killedAt ? scratchFree(callText(killedAt)).replaceAll(dir, 'DIR') : null;
      if (killed.signal !== 'SIGKILL' || actual !== expected) {
        failures.push(
          `wanted a kill at ${expected}; the process ended ${killed.signal ?? killed.code} at ${actual}`,
        );
        return;
      }
      try {
        await expectCheckpoint(dir, index <= publish ? 1 : 2);
      } catch (err) {
        failures.push(`killed at ${expected}: ${(err as Error).message}`);
      }
    });
    expect(failures).toEqual([]);
  });
});
