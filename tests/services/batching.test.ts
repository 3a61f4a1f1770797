// Progress is persisted in batched transactions: a burst of task events becomes one write transaction
// per flush interval, not one per event — and nothing reported is lost. The worker here is an in-process
// WorkerHandle speaking the real protocol, so the test controls exactly when each message arrives.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerExit, WorkerHandle, WorkerLauncher } from '../../src/main/jobs/launcher';
import type { FromWorker, ToWorker } from '../../src/main/jobs/protocol';
import { createEventBus } from '../../src/main/services/events';
import { createJobCoordinator } from '../../src/main/services/jobCoordinator';
import { openStore, type Store } from '../../src/main/store';
import { trainConfig } from '../../src/shared/schemas';

function scriptedLauncher(script: (post: (m: FromWorker) => void) => Promise<void>): WorkerLauncher {
  return {
    launch(): WorkerHandle {
      const listeners: ((m: FromWorker) => void)[] = [];
      const exits: ((e: WorkerExit) => void)[] = [];
      const post = (m: FromWorker) => listeners.forEach((l) => l(m));
      const exit = () => exits.splice(0).forEach((l) => l({ code: 0, signal: null, stderrTail: '' }));
      setTimeout(() => post({ type: 'ready', pid: 1 }), 0);
      return {
        pid: 1,
        send(message: ToWorker) {
          if (message.type === 'start') void script(post);
          if (message.type === 'shutdown') setTimeout(exit, 0);
        },
        onMessage: (l) => listeners.push(l),
        onExit: (l) => exits.push(l),
        kill: exit,
      };
    },
  };
}

let dir: string;
let store: Store | null = null;
afterEach(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('progress persistence', () => {
  it('writes a burst of epochs in one transaction per flush and loses none', async () => {
    dir = mkdtempSync(join(tmpdir(), 'prunelab-batching-'));
    store = openStore(join(dir, 'prunelab.db'));
    store.datasets.save({
      id: 'ds',
      name: 'd',
      sourcePath: '/d',
      origin: 'path',
      kind: 'folder',
      contentHash: null,
      runCount: 0,
      createdAt: new Date(0).toISOString(),
      classes: [],
      imported: 0,
      skipped: 0,
      inputShape: [8, 8, 1],
      resizeMode: 'crop',
      channelMix: {},
      sizeStats: { minWidth: 8, maxWidth: 8, minHeight: 8, maxHeight: 8, meanWidth: 8, meanHeight: 8 },
      split: { train: 0, validation: 0, test: 0, seed: 1, fromFolders: false },
      warnings: [],
      problems: [],
    });
    const run = store.runs.create({
      name: 'r',
      kind: 'train',
      config: { datasetId: 'ds', train: trainConfig.parse({}) },
    });
    let transactions = 0;
    const realTransaction = store.transaction.bind(store);
    (store as { transaction: Store['transaction'] }).transaction = (fn) => {
      transactions++;
      return realTransaction(fn);
    };
    const epochs = 200;
    const jobs = createJobCoordinator({
      store,
      bus: createEventBus(),
      dataDir: dir,
      concurrency: 1,
      flushIntervalMs: 10_000, // only the job's end flushes in this test
      launcher: scriptedLauncher(async (post) => {
        for (let epoch = 1; epoch <= epochs; epoch++) {
          post({
            type: 'event',
            event: {
              type: 'epoch',
              epoch,
              phase: 'train',
              values: [{ split: 'train', name: 'loss', value: 1 / epoch }],
            },
          });
        }
        post({ type: 'done', result: null });
      }),
    });
    const jobId = jobs.submit({
      kind: 'train',
      task: 'trainTask',
      input: {},
      runId: run.id,
      datasetId: 'ds',
    });
    const result = await jobs.wait(jobId);
    expect(result.status).toBe('done');
    // One transaction for the 200 buffered epochs, one for the job's result and final status.
    expect(transactions).toBe(2);
    const series = store.metrics.series(run.id);
    expect(series[0]!.epochs).toHaveLength(epochs);
    expect(series[0]!.values.at(-1)).toBe(1 / epochs);
    expect(store.runs.get(run.id)?.status).toBe('done');
    await jobs.close();
  });
});
