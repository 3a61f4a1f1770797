// One run, one trainer: a run belongs to the process that queued it (an owner lease: pid + process start
// time), and another PruneLab process on the same data directory cannot resume, re-queue or delete it
// while that owner lives. Tested with real processes racing on one database.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppServices, createForkLauncher, type AppServices } from '../../src/main/services';
import type { Result } from '../../src/shared/errors';
import { call, importDataset } from './fixtures/calls';

const entry = fileURLToPath(new URL('./fixtures/scriptedWorker.ts', import.meta.url));
const ownerScript = fileURLToPath(new URL('./fixtures/ownerProcess.ts', import.meta.url));

let dir: string;
let dataDir: string;
const children: ChildProcessWithoutNullStreams[] = [];
let services: AppServices | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunelab-owner-'));
  dataDir = join(dir, 'data');
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await services?.close();
  services = null;
  rmSync(dir, { recursive: true, force: true });
});

async function openHere(): Promise<AppServices> {
  services = await createAppServices({
    dataDir,
    mode: 'cli',
    launcher: createForkLauncher({ entry }),
    flushIntervalMs: 20,
  });
  return services;
}

interface OwnerProcess {
  pid: number;
  ask(line: string): Promise<Result<unknown>>;
  /** Asks it to close its services (its running jobs become interrupted) and exit. */
  leave(): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts another PruneLab process on the same data directory; resolves once its services are open. */
function startOwner(): Promise<OwnerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ownerScript, dataDir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((value: unknown) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const nextLine = () => new Promise<unknown>((resolve) => waiting.push(resolve));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`owner process exited early (${code}): ${stderr}`)));
    void nextLine().then((ready) => {
      const pid = (ready as { ready: number }).ready;
      resolve({
        pid,
        exited,
        ask(line) {
          const answer = nextLine() as Promise<Result<unknown>>;
          child.stdin.write(`${line}\n`);
          return answer;
        },
        leave() {
          child.stdin.write('exit\n');
          return exited;
        },
      });
    });
  });
}

/** A dataset and one train run stopped mid-way ('interrupted'), made by this process and closed again. */
async function interruptedRun(): Promise<{ runId: string; datasetId: string }> {
  const s = await openHere();
  const datasetId = await importDataset(s);
  const epoch = new Promise<void>((resolve) => s.subscribe('run.epoch', () => resolve()));
  const { runId } = await call<{ runId: string }>(s, 'runs.start', {
    config: { datasetId, train: { epochs: 500 } },
  });
  await epoch;
  await s.close();
  services = null;
  return { runId, datasetId };
}

describe('one run, one trainer (owner lease across processes)', () => {
  it('lets exactly one of two processes racing to resume the same run win', async () => {
    const { runId } = await interruptedRun();
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([startOwner(), startOwner()]);
      const answers = await Promise.all([a.ask(`resume ${runId}`), b.ask(`resume ${runId}`)]);
      const winners = answers.filter((r) => r.ok);
      expect(winners, JSON.stringify(answers)).toHaveLength(1);
      const loser = answers.find((r) => !r.ok);
      expect(loser).toMatchObject({
        ok: false,
        error: { code: 'CONFLICT', message: expect.stringMatching(/another PruneLab process \(pid \d+\)/) },
      });
      // Both leave: the winner's run is interrupted again (resumable) for the next round.
      expect(await Promise.all([a.leave(), b.leave()])).toEqual([0, 0]);
    }
  });

  it("keeps a run queued by another live process (a CLI sweep) that process's until it is gone", async () => {
    const { datasetId } = await interruptedRun();
    const cli = await startOwner();
    const sweep = await cli.ask(
      `sweep ${JSON.stringify({ datasetId, train: { epochs: 500 }, criteria: ['magnitude'], sparsities: [0.5], seeds: [1] })}`,
    );
    expect(sweep.ok, JSON.stringify(sweep)).toBe(true);
    const [denseRunId, pruneRunId] = (sweep as { value: { runIds: string[] } }).value.runIds as [
      string,
      string,
    ];
    const app = await openHere();
    // Queued in the CLI (waiting for its dense parent): the app may neither resume nor delete it.
    expect(await app.dispatch('runs.resume', { id: pruneRunId })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringContaining(`pid ${cli.pid}`) },
    });
    expect(await app.dispatch('runs.delete', { id: pruneRunId })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    // The CLI is killed: its lease dies with it, and the next start shows its runs as resumable.
    children.at(-1)!.kill('SIGKILL');
    expect(await cli.exited).toBeNull();
    await app.close();
    const reopened = await openHere();
    expect([...reopened.interruptedAtStart].sort()).toEqual([denseRunId, pruneRunId].sort());
    expect(await reopened.dispatch('runs.resume', { id: denseRunId })).toMatchObject({ ok: true });
    expect(await reopened.dispatch('runs.resume', { id: pruneRunId })).toMatchObject({ ok: true });
  });
});
