import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('npm start (bin/start.js)', () => {
  it('explains plainly that Electron is missing, points to npm run serve, and fails', () => {
    const result = spawnSync(process.execPath, [join(root, 'bin', 'start.js')], {
      cwd: root,
      env: { ...process.env, PRUNELAB_ELECTRON_BINARY: join(root, 'no-such-electron') },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Electron binary is not installed');
    expect(result.stderr).toContain('npm run serve');
    expect(result.stdout).toBe('');
  });
});
