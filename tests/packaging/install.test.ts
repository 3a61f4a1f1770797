// `npm install` stays offline-safe and quiet: onnxruntime-node's install script (it only downloads the
// CUDA provider from NuGet, which PruneLab never uses) is denied through package.json's allowScripts, every
// other dependency's install script is reviewed, and no .npmrc key makes npm warn on every command.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/helpers';

const npm = (...args: string[]) =>
  spawnSync('npm', args, {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'warn' },
  });

describe('npm install', () => {
  it('denies onnxruntime-node’s download script and reviews every other install script', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      allowScripts: Record<string, boolean>;
    };
    expect(pkg.allowScripts['onnxruntime-node']).toBe(false);
    // the native modules the app needs still build or check their binaries
    for (const name of ['better-sqlite3', 'sharp', 'esbuild']) expect(pkg.allowScripts[name]).toBe(true);
    const listed = npm('install-scripts', 'ls');
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('No packages with unreviewed install scripts');
  });

  it('lets npm run a command without a warning about the project’s config', () => {
    expect(existsSync(join(repoRoot, '.npmrc'))).toBe(false);
    const run = npm('pkg', 'get', 'name');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('"prunelab"');
    expect(run.stderr).not.toMatch(/Unknown (project|user|env) config/);
  });
});
