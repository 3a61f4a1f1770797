// A writer to be SIGKILLed: forked by crash.test.ts. Each iteration writes, in ONE store transaction,
// an epoch of many metric values plus a prune step whose layers carry large mask BLOBs (so SQLite spills
// uncommitted pages into the WAL before the commit; a small page cache makes sure it does). Progress goes
// to stdout with writeSync, so the parent learns about a commit only after it happened, and about "mid"
// while the transaction is still open. Each line carries the WAL file's size at that moment.
//
// argv: dbPath runId startIteration pauseAtIteration (0 = never pause)
import { statSync, writeSync } from 'node:fs';
import { openStore } from '../../../src/main/store';
import { crashIteration } from './crashData';

const [dbPath, runId, startArg, pauseArg] = process.argv.slice(2);
if (!dbPath || !runId) throw new Error('usage: writeLoop dbPath runId start pauseAt');
const start = Number(startArg ?? '1');
const pauseAt = Number(pauseArg ?? '0');
const store = openStore(dbPath);
// 32 pages of cache: a transaction bigger than that must spill dirty pages into the WAL before COMMIT.
store.db.pragma('cache_size = 32');
const walBytes = () => statSync(`${dbPath}-wal`, { throwIfNoEntry: false })?.size ?? 0;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function iterate(i: number): void {
  const { epoch, step } = crashIteration(i);
  store.transaction(() => {
    store.metrics.append(runId as string, epoch);
    store.pruneSteps.record(runId as string, step);
    if (i === pauseAt) {
      writeSync(1, `mid ${i} ${walBytes()}\n`);
      // Block inside the open transaction until the parent kills us.
      Atomics.wait(sleeper, 0, 0, 30_000);
    }
  });
  writeSync(1, `committed ${i} ${walBytes()}\n`);
  setImmediate(() => iterate(i + 1));
}

writeSync(1, 'ready\n');
iterate(start);
