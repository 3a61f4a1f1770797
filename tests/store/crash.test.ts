// A writing process SIGKILLed mid-transaction: the database passes integrity_check, every transaction the
// writer reported committed is complete, and the one in flight left nothing behind.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/main/store';
import { crashIteration, layersPerStep, metricsPerEpoch } from './helpers/crashData';
import { sampleDataset, trainConfig } from './fixtures';

const writer = join(import.meta.dirname, 'helpers', 'writeLoop.ts');

let dir: string;
let dbPath: string;
let runId: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunelab-crash-'));
  dbPath = join(dir, 'prunelab.db');
  const store = openStore(dbPath);
  store.datasets.save(sampleDataset());
  runId = store.runs.create({ name: 'victim', kind: 'prune', config: trainConfig() }).id;
  store.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  committed: number[];
  mid: number | null;
  /** WAL file size after each reported commit, and while the killed transaction was open. */
  walAtCommit: number[];
  walAtMid: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the writer from `start`; kills it on "mid" (pauseAt) or after `killAfterCommits` commits. */
function runAndKill(start: number, opts: { pauseAt?: number; killAfterCommits?: number }): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(writer, [dbPath, runId, String(start), String(opts.pauseAt ?? 0)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const outcome: Outcome = { committed: [], mid: null, walAtCommit: [], walAtMid: null, signal: null };
    let buffer = '';
    let stderr = '';
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const [what, n, wal] = line.split(' ');
        if (what === 'committed') {
          outcome.committed.push(Number(n));
          outcome.walAtCommit.push(Number(wal));
          if (opts.killAfterCommits !== undefined && outcome.committed.length >= opts.killAfterCommits) {
            // Let the next transaction get going, then kill wherever it is.
            setTimeout(kill, 3);
          }
        } else if (what === 'mid') {
          outcome.mid = Number(n);
          outcome.walAtMid = Number(wal);
          kill();
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      outcome.signal = signal;
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (code ${code}): ${stderr}`));
      else resolve(outcome);
    });
    setTimeout(kill, 60_000).unref();
  });
}

function checkDatabase(store: Store, committed: readonly number[], lost: readonly number[]): void {
  expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(store.db.pragma('foreign_key_check')).toEqual([]);
  const series = store.metrics.series(runId);
  const steps = new Map(store.pruneSteps.list(runId).map((s) => [s.step, s]));
  const epochsOf = (name: string) => series.find((s) => s.name === name)?.epochs ?? [];
  for (const i of committed) {
    const expected = crashIteration(i);
    for (let k = 0; k < metricsPerEpoch; k++) expect(epochsOf(`m${k}`)).toContain(i);
    const step = steps.get(i);
    expect(step?.layers).toHaveLength(layersPerStep);
    expect(step?.layers.map((l) => l.mask.bitsBase64)).toEqual(
      expected.step.layers.map((l) => l.mask.bitsBase64),
    );
  }
  for (const i of lost) {
    for (let k = 0; k < metricsPerEpoch; k++) expect(epochsOf(`m${k}`)).not.toContain(i);
    expect(steps.has(i)).toBe(false);
    expect(
      store.db.prepare('SELECT count(*) AS n FROM prune_layers WHERE run_id = ? AND step = ?').get(runId, i),
    ).toEqual({
      n: 0,
    });
  }
  // Whatever is present is whole: each step has all its layers, each epoch all its metrics.
  for (const s of steps.values()) expect(s.layers).toHaveLength(layersPerStep);
  const counts = new Set(series.map((s) => s.epochs.length));
  expect(counts.size).toBeLessThanOrEqual(1);
}

describe('SIGKILL of the writing process', () => {
  it('mid-transaction (after large uncommitted writes): no corruption, committed rows kept, open one gone', async () => {
    const outcome = await runAndKill(1, { pauseAt: 4 });
    expect(outcome.mid).toBe(4);
    expect(outcome.committed).toEqual([1, 2, 3]);
    // The open transaction had already pushed pages into the WAL: recovery must skip those frames.
    expect(outcome.walAtMid).toBeGreaterThan(outcome.walAtCommit[2] ?? Infinity);
    const store = openStore(dbPath);
    try {
      checkDatabase(store, [1, 2, 3], [4]);
      // The store is fully usable afterwards: the same iteration can now be written.
      const { epoch, step } = crashIteration(4);
      store.metrics.append(runId, epoch);
      store.pruneSteps.record(runId, step);
      checkDatabase(store, [1, 2, 3, 4], []);
    } finally {
      store.close();
    }
  });

  it('at arbitrary moments, three times over the same file: every reported commit survives', async () => {
    let start = 1;
    const committed: number[] = [];
    for (let round = 0; round < 3; round++) {
      const outcome = await runAndKill(start, { killAfterCommits: 3 + round });
      committed.push(...outcome.committed);
      const store = openStore(dbPath);
      try {
        // An iteration that committed before the kill landed but was not yet reported may be present too;
        // what was reported must be there, and what is there must be whole (checked inside).
        checkDatabase(store, committed, []);
        start = Math.max(...store.pruneSteps.list(runId).map((s) => s.step)) + 1;
      } finally {
        store.close();
      }
    }
    expect(committed.length).toBeGreaterThanOrEqual(12);
  });
});
