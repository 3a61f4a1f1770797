// `prunelab train --queue …` through the real binary: the CLI process coordinates (its jobs go on the
// queue, it serves its workers' routes on --port and prints the line that starts one), a `prunelab
// worker` trains the run, and the run lands in the CLI's store like any other. A bad --queue is a usage
// error before anything starts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tinyDataset } from '../../cli/helpers';
import { spawnCli, spawnWorker } from './processes';
import { freePort, startRedis, type TestRedis } from './redisServer';

/** Real processes training on a shared 2-core machine: minutes, not seconds, when it is busy. */
const slow = { timeout: 900_000 };
const dir = mkdtempSync(join(tmpdir(), 'prunelab-cli-queue-'));
let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
}, 900_000);

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('prunelab train --queue', () => {
  it('runs the job on a prunelab worker and records it here', slow, async () => {
    const port = await freePort();
    const dataDir = join(dir, 'data');
    const train = spawnCli([
      'train',
      '--dataset',
      tinyDataset(dir, 2, 10),
      '--preset',
      'lenet5',
      '--epochs',
      '1',
      '--batch',
      '8',
      '--queue',
      redis.url,
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--json',
    ]);
    const [, origin, token] = await train.waitFor(
      /workers: prunelab worker --queue \S+ --coordinator (\S+) --token (\S+)/,
    );
    expect(origin).toBe(`http://127.0.0.1:${port}`);
    expect(train.output()).not.toContain(redis.password);
    const worker = spawnWorker(join(dir, 'worker'), origin!, token!, redis.url);
    try {
      expect(await train.exited).toBe(0);
      const summary = JSON.parse(train.output().trimEnd().split('\n').at(-1)!) as {
        runId: string;
        testAccuracy: number;
      };
      expect(summary.testAccuracy).toBeGreaterThan(0);
      const shown = await runCli(['train', '--help']);
      expect(shown.stdout).toContain('--queue redis://…');
      await worker.waitFor(/job \S+: done in/);
    } finally {
      await worker.stop();
      await train.stop();
    }
  });

  it('refuses a --queue that is not a redis URL before starting anything', slow, async () => {
    const run = await runCli([
      'train',
      '--dataset',
      dir,
      '--queue',
      'http://h:6379',
      '--data-dir',
      join(dir, 'x'),
      '--json',
    ]);
    expect(run.code).toBe(2);
    expect((run.json.error as { message: string }).message).toMatch(/start with redis:\/\//);
    const serve = await runCli(['serve', '--queue', 'redis://h/99', '--data-dir', join(dir, 'y'), '--json']);
    expect(serve.code).toBe(2);
    expect((serve.json.error as { message: string }).message).toMatch(/database must be a number/);
  });
});
