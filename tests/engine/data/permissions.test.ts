import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDetail } from '../../../src/shared/dto';
import { importOptions } from '../../../src/shared/schemas';
import { importDataset } from '../../../src/main/engine/data/importDataset';
import { make } from './fixtures/images';

const NOBODY = 65534;
const DROP_DAC = [
  '--inh-caps=-dac_override,-dac_read_search',
  '--bounding-set=-dac_override,-dac_read_search',
];

/**
 * Imports as a user that file permissions apply to. Root reads everything, so as root the import runs in a
 * child process without the capabilities that bypass permissions (util-linux setpriv), or, lacking setpriv,
 * as "nobody".
 */
async function importAsUnprivileged(source: string, dataDir: string): Promise<DatasetDetail> {
  if (process.getuid?.() !== 0)
    return importDataset('p', importOptions.parse({ path: source }), {
      signal: new AbortController().signal,
      dataDir,
      emit: () => {},
    });
  const child = [
    process.execPath,
    '--import',
    'tsx',
    join(import.meta.dirname, 'fixtures', 'importInChild.ts'),
    source,
    dataDir,
  ];
  const cwd = join(import.meta.dirname, '..', '..', '..');
  const out = existsSync('/usr/bin/setpriv')
    ? execFileSync('/usr/bin/setpriv', [...DROP_DAC, ...child], { cwd, encoding: 'utf8' })
    : execFileSync(child[0]!, child.slice(1), { uid: NOBODY, gid: NOBODY, cwd, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as DatasetDetail;
}

describe('files and folders the user may not read', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'prunelab-perm-'));
    await chmod(base, 0o755);
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('are listed as unreadable (permission denied) and the rest imports', async () => {
    const root = join(base, 'ds');
    for (const d of ['a', 'b', 'b/locked-folder']) await mkdir(join(root, d), { recursive: true });
    for (let i = 0; i < 3; i++) await writeFile(join(root, 'a', `${i}.png`), await make.png(i));
    for (let i = 0; i < 3; i++) await writeFile(join(root, 'b', `${i}.png`), await make.png(10 + i));
    await writeFile(join(root, 'b', 'secret.png'), await make.png(20));
    await writeFile(join(root, 'b', 'locked-folder', 'hidden.png'), await make.png(21));
    await chmod(join(root, 'b', 'secret.png'), 0o000);
    await chmod(join(root, 'b', 'locked-folder'), 0o000);
    const dataDir = join(base, 'data');
    await mkdir(dataDir);
    await chmod(dataDir, 0o777);

    const detail = await importAsUnprivileged(root, dataDir);
    expect(detail.imported).toBe(6);
    expect(detail.problems).toEqual([
      { path: 'b/locked-folder', reason: 'unreadable', detail: 'folder cannot be opened (EACCES)' },
      { path: 'b/secret.png', reason: 'unreadable', detail: 'permission denied' },
    ]);
  });
});
