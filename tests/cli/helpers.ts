// Runs the real `prunelab` binary (bin/prunelab.js → tsx → src/main/cli) and builds tiny datasets from the
// bundled sample, so CLI tests exercise exactly what a user runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const samplePath = join(repoRoot, 'resources', 'sample', 'fashion-mnist');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (the --json contract). */
  json: Record<string, unknown>;
}

export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'prunelab.js'), ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trimEnd().split('\n').at(-1) ?? '';
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(last) as Record<string, unknown>;
      } catch {
        // left empty: the test asserting on it fails with the output attached
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

/** A class-folder dataset of `perClass` sample images for each of the first `classes` classes. */
export function tinyDataset(dir: string, classes = 3, perClass = 20): string {
  const root = join(dir, 'tiny');
  for (const cls of readdirSync(samplePath).sort().slice(0, classes)) {
    mkdirSync(join(root, cls), { recursive: true });
    for (const file of readdirSync(join(samplePath, cls)).sort().slice(0, perClass)) {
      copyFileSync(join(samplePath, cls, file), join(root, cls, file));
    }
  }
  return root;
}

export interface BackgroundCli {
  child: ChildProcess;
  /** Everything written so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first match of `pattern` on stderr (rejects if the process ends first). */
  stderrMatch(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

/** The real binary started in the background (a training to cancel, a server to talk to). */
export function startCli(args: string[]): BackgroundCli {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'prunelab.js'), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) {
      const match = w.pattern.exec(stderr);
      if (match) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(match);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    stderrMatch(pattern) {
      const now = pattern.exec(stderr);
      if (now) return Promise.resolve(now);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then(() => reject(new Error(`ended without ${pattern}:\n${stderr}`)));
      });
    },
    exited,
  };
}
