#!/usr/bin/env node
// Runs before `npm test`: the tests need a few programs from Debian (a browser for the end-to-end suite,
// strace for the crash tests, a Redis server for the queue tests). Where they are missing and we are root
// with apt, install them; otherwise say in one line what to install and stop, rather than failing later in
// a confusing way.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → the file whose presence says it is installed. Add a row when a test needs a program. */
const testPackages = [
  { pkg: 'chromium', file: '/usr/bin/chromium' },
  // kills a process at an exact system call and records the calls (crash and durability tests)
  { pkg: 'strace', file: '/usr/bin/strace' },
  // the queue tests start their own redis-server (random loopback port, no persistence)
  { pkg: 'redis-server', file: '/usr/bin/redis-server' },
];

const missing = testPackages.filter(({ file }) => !existsSync(file)).map(({ pkg }) => pkg);
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(
    `The tests need ${missing.join(', ')}: install with \`sudo apt-get install -y ${missing.join(' ')}\`, then run npm test again.`,
  );
  process.exit(1);
}

console.error(`Installing what the tests need from Debian: ${missing.join(', ')} …`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status;
if (run(['update', '-q']) !== 0 || run(['install', '-y', '-q', ...missing]) !== 0) {
  console.error(`Could not install ${missing.join(', ')} with apt-get; install them and run npm test again.`);
  process.exit(1);
}
