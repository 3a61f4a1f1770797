// Forked by multiProcess.test.ts: opens the store like a second PruneLab process (the CLI next to the app),
// holds the write lock inside a transaction for `holdMs`, then commits one row and exits.
// argv: dbPath holdMs
import { writeSync } from 'node:fs';
import { openStore } from '../../../src/main/store';

const [dbPath, holdArg] = process.argv.slice(2);
if (!dbPath) throw new Error('usage: holdLock dbPath holdMs');
const store = openStore(dbPath);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
store.transaction(() => {
  store.settings.update({ theme: 'light' });
  writeSync(1, 'locked\n');
  Atomics.wait(sleeper, 0, 0, Number(holdArg ?? '300'));
});
store.close();
writeSync(1, 'released\n');
