#!/usr/bin/env node
// `node scripts/debian-deps.mjs test|bench` runs before `npm test` and the benchmarks: they need a few
// things from Debian (a browser for the end-to-end suite, strace for the crash tests, a Redis server for the
// queue tests; Fashion-MNIST and PyTorch for the benchmarks). Where they are missing and we are root with
// apt, install them; otherwise say in one line what to install and stop, rather than failing later in a
// confusing way.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → the file whose presence says it is installed. Add a row when a test needs a program. */
const groups = {
  test: [
    { pkg: 'chromium', file: '/usr/bin/chromium' },
    // kills a process at an exact system call and records the calls (crash and durability tests)
    { pkg: 'strace', file: '/usr/bin/strace' },
    // the queue tests start their own redis-server (random loopback port, no persistence)
    { pkg: 'redis-server', file: '/usr/bin/redis-server' },
  ],
  bench: [
    // the real data of bench:prune, bench:train, bench:import and bench:sweep
    { pkg: 'dataset-fashion-mnist', file: '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz' },
    // the reference peer: bench/torch_prune.py and the training-speed comparison
    { pkg: 'python3-torch', file: '/usr/lib/python3/dist-packages/torch/__init__.py' },
    // bench:import's peer (bench/pil_import.py)
    { pkg: 'python3-pil', file: '/usr/lib/python3/dist-packages/PIL/__init__.py' },
  ],
};
const group = process.argv[2] ?? 'test';
const who = group === 'test' ? 'The tests' : 'The benchmarks';
if (!(group in groups)) {
  console.error(`usage: node scripts/debian-deps.mjs ${Object.keys(groups).join('|')}`);
  process.exit(2);
}

const missing = groups[group].filter(({ file }) => !existsSync(file)).map(({ pkg }) => pkg);
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(
    `${who} need ${missing.join(', ')}: install with \`sudo apt-get install -y ${missing.join(' ')}\`, then run this again.`,
  );
  process.exit(1);
}

console.error(`Installing what ${who.toLowerCase()} need from Debian: ${missing.join(', ')} …`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status;
if (run(['update', '-q']) !== 0 || run(['install', '-y', '-q', ...missing]) !== 0) {
  console.error(`Could not install ${missing.join(', ')} with apt-get; install them and run this again.`);
  process.exit(1);
}
