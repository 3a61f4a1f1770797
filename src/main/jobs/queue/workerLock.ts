// One `prunelab worker` per worker folder: two would clear each other's scratch space and race on the
// cache. A lock file holds the owner's pid; a lock left by a process that is gone is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function holdWorkerLock(home: string): { release(): void } {
  mkdirSync(home, { recursive: true });
  const file = join(home, 'worker.lock');
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return { release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `another prunelab worker (pid ${owner}) uses ${home}; give each worker its own --data-dir, or use --concurrency`,
      );
    }
    rmSync(file, { force: true });
  }
  throw new Error(`could not take the worker lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
