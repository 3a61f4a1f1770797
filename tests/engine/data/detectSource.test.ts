import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOptions } from '../../../src/shared/schemas';
import { detectSource } from '../../../src/main/engine/data/detectSource';
import { encodeIdx } from '../../../src/main/engine/data/idx';
import { importDataset } from '../../../src/main/engine/data/importDataset';

describe('detectSource: the kind comes from the path', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'prunelab-detect-'));
    for (const d of ['cifar', 'idx', 'folder/cat', 'folder/dog'])
      await mkdir(join(base, d), { recursive: true });
    await writeFile(join(base, 'cifar', 'data_batch_1.bin'), '');
    await writeFile(join(base, 'cifar', 'batches.meta.txt'), '');
    await writeFile(join(base, 'idx', 't10k-images-idx3-ubyte.gz'), '');
    await writeFile(join(base, 'folder', 'cat', '1.png'), '');
    await writeFile(join(base, 'notes.txt'), 'hello');
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it.each([
    ['cifar', 'cifar', 'cifar'],
    ['cifar/data_batch_1.bin', 'cifar', 'cifar'],
    ['idx', 'idx', 'idx'],
    ['idx/t10k-images-idx3-ubyte.gz', 'idx', 'idx'],
    ['folder', 'folder', 'folder'],
  ])('%s → %s', async (path, kind, dir) => {
    expect(await detectSource(join(base, path))).toEqual({ kind, dir: join(base, dir) });
  });

  it('refuses an ordinary file and a missing path with IMPORT_FAILED', async () => {
    await expect(detectSource(join(base, 'notes.txt'))).rejects.toMatchObject({
      code: 'IMPORT_FAILED',
      message: expect.stringMatching(/is a file\. Choose a folder with one subfolder per class/),
    });
    await expect(detectSource(join(base, 'missing'))).rejects.toMatchObject({
      code: 'IMPORT_FAILED',
      message: expect.stringMatching(/^Nothing found at/),
    });
  });

  it('an IDX folder without label files is a clear error', async () => {
    const dir = join(base, 'idx-no-labels');
    await mkdir(dir);
    await writeFile(join(dir, 'train-images-idx3-ubyte'), encodeIdx([1, 28, 28], new Uint8Array(784)));
    await expect(
      importDataset('x', importOptions.parse({ path: dir }), {
        signal: new AbortController().signal,
        dataDir: join(base, 'data'),
        emit: () => {},
      }),
    ).rejects.toMatchObject({
      code: 'IMPORT_FAILED',
      message: expect.stringMatching(/no matching \*labels-idx1-ubyte/),
    });
  });
});
