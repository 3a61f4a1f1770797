// Decompression bombs: files small on disk whose data inflates far past what their headers declare. Each
// import runs in a real child process, whose peak resident memory is the import's own, and must refuse
// the bombs by name while the process stays under 512 MiB.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDetail } from '../../../src/shared/dto';
import type { ApiErrorData } from '../../../src/shared/errors';
import { encodeIdx, readIdxImages } from '../../../src/main/engine/data/idx';
import { idxGzipBomb, pngBombs } from './fixtures/bombs';
import { make } from './fixtures/images';

const MiB = 2 ** 20;
const PEAK_LIMIT_MIB = 512;
const repoRoot = join(import.meta.dirname, '..', '..', '..');

interface Measured {
  detail?: DatasetDetail;
  error?: ApiErrorData & { details?: { problems?: DatasetDetail['problems'] } };
  peakRssMiB: number;
}

async function importInChild(source: string, dataDir: string): Promise<Measured> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'importMeasured.ts'), source, dataDir],
    { cwd: repoRoot, maxBuffer: 16 * MiB },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Measured;
}

/** `count` small IDX images whose pixels depend on the index, and labels 0,1,2,… cycling over 3 classes. */
function idxPair(count: number): { images: Uint8Array; labels: Uint8Array } {
  const pixels = Uint8Array.from({ length: count * 28 * 28 }, (_, p) => (p * 7 + (p >> 5)) & 255);
  return {
    images: encodeIdx([count, 28, 28], pixels),
    labels: encodeIdx(
      [count],
      Uint8Array.from({ length: count }, (_, i) => i % 3),
    ),
  };
}

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'prunelab-bombs-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('decompression bombs in an import (measured in a child process)', () => {
  it('an IDX gzip that inflates to 1.5 GB behind a 60000×28×28 header is corrupt; the good pair imports', async () => {
    const dir = join(base, 'idx-bomb');
    await mkdir(dir);
    const bomb = idxGzipBomb([60_000, 28, 28], 1536 * MiB);
    expect(bomb.length).toBeLessThan(2 * MiB);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), bomb);
    await writeFile(
      join(dir, 'train-labels-idx1-ubyte.gz'),
      gzipSync(encodeIdx([60_000], new Uint8Array(60_000))),
    );
    const test = idxPair(30);
    await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(test.images));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(test.labels));

    const { detail, error, peakRssMiB } = await importInChild(dir, join(base, 'data-1'));
    expect(error).toBeUndefined();
    expect(detail?.imported).toBe(30);
    expect(detail?.problems).toEqual([
      {
        path: 'train-images-idx3-ubyte.gz',
        reason: 'corrupt',
        detail: expect.stringMatching(
          /longer than its header says — the data inflates past the 47040000 bytes/,
        ),
      },
    ]);
    expect(peakRssMiB).toBeLessThan(PEAK_LIMIT_MIB);
  });

  it('an IDX header declaring more than the limit, and a raw file longer than its header, are refused by name', async () => {
    const dir = join(base, 'idx-refused');
    await mkdir(dir);
    // 2,000,000 images of 28×28 declared (1.5 GiB); what follows inflates to 300 MiB.
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), idxGzipBomb([2_000_000, 28, 28], 300 * MiB));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), idxPair(10).labels);
    const test = idxPair(10);
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), Buffer.concat([test.images, Buffer.alloc(5000)]));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), test.labels);

    const { detail, error, peakRssMiB } = await importInChild(dir, join(base, 'data-2'));
    expect(detail).toBeUndefined();
    expect(error?.code).toBe('IMPORT_FAILED');
    expect(error?.details?.problems).toEqual([
      {
        path: 't10k-images-idx3-ubyte',
        reason: 'corrupt',
        detail: expect.stringMatching(/longer than its header says — the data runs past the 7840 bytes/),
      },
      {
        path: 'train-images-idx3-ubyte.gz',
        reason: 'too-large',
        detail: expect.stringMatching(
          /header declares 2000000×28×28 = 1495 MiB of data, over the 1024 MiB limit/,
        ),
      },
    ]);
    expect(peakRssMiB).toBeLessThan(PEAK_LIMIT_MIB);
  });

  it('28×28 PNGs whose image data inflates to 250 MiB are corrupt, eight of them at once; the rest imports', async () => {
    const dir = join(base, 'png-bombs');
    const bombs = pngBombs(8, 28, 250 * MiB);
    expect(Math.max(...bombs.map((b) => b.length))).toBeLessThan(256 * 1024);
    for (const [c, name] of ['cats', 'dogs'].entries()) {
      await mkdir(join(dir, name), { recursive: true });
      for (let i = 0; i < 10; i++)
        await writeFile(join(dir, name, `${i}.png`), await make.grayPng(c * 100 + i, 28, 28));
      for (let i = 0; i < 4; i++) await writeFile(join(dir, name, `bomb-${i}.png`), bombs[c * 4 + i]!);
    }

    const { detail, error, peakRssMiB } = await importInChild(dir, join(base, 'data-3'));
    expect(error).toBeUndefined();
    expect(detail?.imported).toBe(20);
    expect(detail?.problems).toHaveLength(8);
    for (const problem of detail?.problems ?? []) {
      expect(problem).toMatchObject({
        path: expect.stringMatching(/^(cats|dogs)\/bomb-\d\.png$/),
        reason: 'corrupt',
        detail: expect.stringMatching(/inflates past the 28×28 its header declares/),
      });
    }
    expect(peakRssMiB).toBeLessThan(PEAK_LIMIT_MIB);
  });

  it('refuses a file over the size limit before reading it, and a truncated gzip by name', async () => {
    const dir = join(base, 'limits');
    await mkdir(dir);
    const path = join(dir, 'train-images-idx3-ubyte.gz');
    await writeFile(path, gzipSync(idxPair(10).images));
    await expect(readIdxImages(path, 'x', { maxFileBytes: 100, maxDataBytes: MiB })).rejects.toMatchObject({
      reason: 'too-large',
      message: expect.stringMatching(/the file is .* over the 0\.0 MiB limit/),
    });
    const whole = gzipSync(idxPair(10).images);
    await writeFile(path, whole.subarray(0, whole.length - 40));
    await expect(readIdxImages(path, 'x')).rejects.toMatchObject({ reason: 'corrupt' });
  });
});
