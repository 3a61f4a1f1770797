// Runs the real `prunelab` binary (bin/prunelab.js → tsx → src/main/cli) and builds tiny datasets from the
// bundled sample, so CLI tests exercise exactly what a user runs.
import { spawn } from 'node:child_process';
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
