import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodeTarget } from '../../../src/main/engine/data/channelPolicy';
import { decodeAll, type DecodePass } from '../../../src/main/engine/data/decodePass';
import { judgeDuplicates } from '../../../src/main/engine/data/judgeDuplicates';
import { walkImageFolder, type FileEntry } from '../../../src/main/engine/data/walkFolder';
import { make } from './fixtures/images';

const target: DecodeTarget = { size: 28, channels: 1, resizeMode: 'crop', maxPixels: 1e8, minSide: 8 };

/** What a pass decided, independent of slot order: each file's verdict and, for kept files, its pixels. */
function verdicts(files: FileEntry[], pass: DecodePass): string[] {
  const { kept, problems } = judgeDuplicates(files, pass.outcomes);
  const out = problems.map((p) => `${p.path} ${p.reason}`);
  const record = new Uint8Array(28 * 28);
  for (const k of kept) {
    pass.spool.readInto(k.slot, record, 0);
    out.push(`${files[k.index]?.relPath} ${k.layout} ${Buffer.from(record).toString('base64')}`);
  }
  return out.sort();
}

describe('decode helper threads', () => {
  let base: string;
  let files: FileEntry[];
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'prunelab-helpers-'));
    const root = join(base, 'ds');
    for (const c of ['a', 'b']) await mkdir(join(root, c), { recursive: true });
    // small gray PNGs (the helpers' path), JPEGs and odd files (the main thread's), and a duplicate
    for (let i = 0; i < 600; i++)
      await writeFile(join(root, i % 2 ? 'a' : 'b', `${i}.png`), await make.grayPng(i));
    for (let i = 0; i < 20; i++) await writeFile(join(root, 'a', `j${i}.jpg`), await make.jpeg(i, 40, 30));
    await writeFile(join(root, 'b', 'copy-of-1.png'), await make.grayPng(1));
    await writeFile(join(root, 'b', 'text.png'), 'not a png');
    await writeFile(join(root, 'a', 'small.png'), await make.grayPng(3, 20, 20));
    files = (await walkImageFolder(root, { maxDepth: 32 })).files;
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function pass(
    options: { helperThreads: number; helperEntry?: URL },
    attempt: number,
  ): Promise<DecodePass> {
    return decodeAll(files, target, { workDir: base, minFilesForHelpers: 0, ...options }, attempt);
  }

  it('change only the speed: the same verdicts and pixels as the main thread alone', async () => {
    const alone = await pass({ helperThreads: 0 }, 1);
    const helped = await pass({ helperThreads: 2 }, 2);
    try {
      expect(helped.helpersUsed).toBe(2);
      expect(verdicts(files, helped)).toEqual(verdicts(files, alone));
      expect(verdicts(files, alone)).toHaveLength(files.length);
    } finally {
      alone.spool.dispose();
      helped.spool.dispose();
    }
  });

  it('a helper that cannot start leaves all the work to the main thread, with the same result', async () => {
    const broken = pathToFileURL(join(base, 'no-such-worker.mjs'));
    const alone = await pass({ helperThreads: 0 }, 3);
    const fallback = await pass({ helperThreads: 1, helperEntry: broken }, 4);
    try {
      expect(fallback.helpersUsed).toBe(0);
      expect(verdicts(files, fallback)).toEqual(verdicts(files, alone));
    } finally {
      alone.spool.dispose();
      fallback.spool.dispose();
    }
  });
});
