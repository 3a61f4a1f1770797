// Ctrl-C on `prunelab train`: the CLI cancels its job through the runner (abort signal in the worker),
// exits 130 with a clear message, and the run is recorded as cancelled — not failed, not left running.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppServices } from '../../src/main/services';
import type { RunSummary } from '../../src/shared/dto';
import { repoRoot, tinyDataset } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'prunelab-cli-cancel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prunelab train with Ctrl-C', () => {
  it('cancels the job, exits 130 and records the run as cancelled', async () => {
    const dataDir = join(dir, 'home');
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'bin', 'prunelab.js'),
        'train',
        '--dataset',
        tinyDataset(dir, 2, 20),
        '--preset',
        'lenet5',
        '--epochs',
        '50',
        '--batch',
        '4',
        '--json',
        '--data-dir',
        dataDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    let interrupted = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Interrupt once training is under way (the first epoch has been reported).
      if (!interrupted && stderr.includes('train epoch 1')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(interrupted, stderr).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toContain('cancelling');
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ error: { code: 'CANCELLED' } });

    const services = await createAppServices({ dataDir, mode: 'cli' });
    try {
      const runs = (await services.dispatch('runs.list', {})) as { ok: true; value: RunSummary[] };
      expect(runs.value.map((r) => r.status)).toEqual(['cancelled']);
      expect(runs.value[0]!.finishedAt).not.toBeNull();
    } finally {
      await services.close();
    }
  });
});
