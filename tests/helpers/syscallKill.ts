// Kill -9 a real process at an exact system call. The child runs a script that prints "ready", waits for
// "go" on stdin, does the work under test and exits. strace attaches to it (after "ready", so start-up
// is not counted) either to record every file-system call the work makes, or to deliver SIGKILL on entry
// to the Nth call of one kind — the process dies before that call happens, as in a crash or power cut.
// Children run with one libuv pool thread, so the work's calls come in program order from one thread and
// "the Nth rename" means the same call in every run.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const STRACE = '/usr/bin/strace';
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The calls that change what is on disk, or flush it, and the opens that precede them. */
export const FILE_CALLS = [
  'openat',
  'write',
  'fsync',
  'fdatasync',
  'rename',
  'renameat',
  'renameat2',
  'link',
  'linkat',
  'unlink',
  'unlinkat',
  'rmdir',
  'mkdir',
  'mkdirat',
];

export interface TraceLine {
  tid: number;
  call: string;
  /** the line as strace wrote it, without the tid */
  text: string;
  /** 1-based: this call's number among the same thread's calls of the same kind */
  ordinal: number;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function waitForOutput(stream: NodeJS.ReadableStream, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got: ${seen}`)), 60_000);
    stream.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * Runs `script` (TypeScript, through tsx) with `args`; once it is ready, attaches strace with
 * `straceArgs`, then lets the work go. Resolves when both have exited.
 */
export async function runTraced(script: string, args: string[], straceArgs: string[]): Promise<ChildExit> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const childExit = exited(child);
  try {
    await waitForOutput(child.stdout!, /^ready$/m, `${script} to be ready`);
    const tracer = spawn(STRACE, ['-f', '-p', String(child.pid), ...straceArgs], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const tracerExit = exited(tracer);
    await waitForOutput(tracer.stderr!, /attached/, 'strace to attach');
    child.stdin!.write('go\n');
    const { code, signal } = await childExit;
    await tracerExit;
    return { code, signal, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Parses strace -f -o output (tid first on every line) into calls, numbered per thread and kind. */
export async function readTrace(path: string): Promise<TraceLine[]> {
  const counts = new Map<string, number>();
  const lines: TraceLine[] = [];
  for (const raw of (await readFile(path, 'utf8')).split('\n')) {
    const match = /^(\d+) +([a-z0-9_]+)\((.*)$/.exec(raw);
    if (!match) continue; // signals, exits, "resumed" halves
    const tid = Number(match[1]);
    const call = match[2]!;
    const key = `${tid}:${call}`;
    const ordinal = (counts.get(key) ?? 0) + 1;
    counts.set(key, ordinal);
    lines.push({ tid, call, text: `${call}(${match[3]}`, ordinal });
  }
  return lines;
}

/** The call as it started — name and arguments, descriptors by their paths — the same in every run. */
export const callText = (line: TraceLine) =>
  line.text.replace(/(\)\s+=\s+.*|\s+<unfinished \.\.\.>)$/, '').replace(/\b\d+</g, '<');

/** Records every file call the work makes, with paths (strace -y). */
export async function traceFileCalls(
  script: string,
  args: string[],
  traceFile: string,
): Promise<{ exit: ChildExit; calls: TraceLine[] }> {
  const exit = await runTraced(script, args, ['-y', '-e', `trace=${FILE_CALLS.join(',')}`, '-o', traceFile]);
  return { exit, calls: await readTrace(traceFile) };
}

/**
 * Kills the work with SIGKILL on entry to `point` (its kind and per-thread number, from a traced run).
 * Returns how the child ended and the call it was killed at, as strace recorded it.
 */
export async function killAt(
  script: string,
  args: string[],
  point: Pick<TraceLine, 'call' | 'ordinal'>,
  traceFile: string,
): Promise<{ exit: ChildExit; killedAt: TraceLine | null }> {
  const exit = await runTraced(script, args, [
    '-y',
    '-e',
    `trace=${point.call}`,
    '-e',
    `inject=${point.call}:signal=KILL:when=${point.ordinal}`,
    '-o',
    traceFile,
  ]);
  // The call it died at: the Nth of its kind in one thread, started and never returned.
  const calls = await readTrace(traceFile);
  const killedAt =
    calls.find((c) => c.ordinal === point.ordinal && /(= \?|<unfinished \.\.\.>)$/.test(c.text)) ?? null;
  return { exit, killedAt };
}

/**
 * PruneLab's scratch names (`.x.partial-<pid>-<random>`, and the older `x.partial-<pid>`) put back to `x`,
 * so paths read the same in every run.
 */
export const scratchFree = (text: string) =>
  text.replace(/\/\.?([^/"<>]+?)\.(partial|old)-\d+(?:-[0-9a-f]{8})?(?=[/"<>]|$)/g, '/$1');
