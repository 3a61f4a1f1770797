import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDetail } from '../../../src/shared/dto';
import { importOptions } from '../../../src/shared/schemas';
import { readDatasetCache } from '../../../src/main/engine/data/cache';
import { decodeImage } from '../../../src/main/engine/data/decodeImage';
import { importDataset } from '../../../src/main/engine/data/importDataset';
import { sniffFormat } from '../../../src/main/engine/data/sniffFormat';
import type { DatasetSplits, TaskContext, TaskEvent } from '../../../src/main/engine/types';
import { buildHostileFolder, type HostileExpectations } from './fixtures/hostileFolder';
import sharp from 'sharp';
import { grayPixels, make } from './fixtures/images';
import { readFileSync, rmSync } from 'node:fs';

function context(
  dataDir: string,
  events: TaskEvent[] = [],
  signal = new AbortController().signal,
): TaskContext {
  return { signal, dataDir, emit: (e) => events.push(e) };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Every cached image of class `label`, as hex strings. */
function cachedImagesOf(splits: DatasetSplits, label: number): Set<string> {
  const out = new Set<string>();
  for (const set of [splits.train, splits.validation, splits.test]) {
    const per = set.height * set.width * set.channels;
    for (let i = 0; i < set.count; i++)
      if (set.labels[i] === label) out.add(hex(set.images.subarray(i * per, (i + 1) * per)));
  }
  return out;
}

describe('the import doctor on a hostile folder', () => {
  let base: string;
  let root: string;
  let expected: HostileExpectations;
  let detail: DatasetDetail;
  let splits: DatasetSplits;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'prunelab-hostile-'));
    root = join(base, 'hostile dataset');
    expected = await buildHostileFolder(root);
    const dataDir = join(base, 'data');
    detail = await importDataset('hostile', importOptions.parse({ path: root }), context(dataDir));
    ({ splits } = await readDatasetCache(join(dataDir, 'datasets', 'hostile')));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('completes and lists every bad file with the right reason, and nothing else', () => {
    const listed = Object.fromEntries(detail.problems.map((p) => [p.path, p.reason]));
    expect(listed).toEqual(expected.bad);
    for (const p of detail.problems) expect(p.detail, p.path).toBeTruthy();
    expect(detail.skipped).toBe(Object.keys(expected.bad).length);
    const detailOf = (path: string) => detail.problems.find((p) => p.path === path)?.detail;
    expect(detailOf('cats/bomb.png')).toBe('60000×60000 is 3600 megapixels, over the 100 MP limit');
    expect(detailOf('cats/truncated.jpg')).toBe('premature end of JPEG image');
    expect(detailOf('cats/zz-copy-of-a.jpg')).toBe('same content as cats/a.jpg');
    expect(detailOf('cats/report.jpg')).toBe('this is a PDF document');
  });

  it('imports exactly the good files, each under its own class', async () => {
    expect(detail.imported).toBe(expected.good.length);
    expect(detail.classes.map((c) => c.name)).toEqual(expected.classes);
    const perClass = expected.classes.map((c) => expected.good.filter((g) => g.startsWith(`${c}/`)).length);
    expect(detail.classes.map((c) => c.count)).toEqual(perClass);
    // each good file, decoded on its own, is in the cache under its class
    const target = {
      size: 32,
      channels: 3 as const,
      resizeMode: 'crop' as const,
      maxPixels: 1e8,
      minSide: 8,
    };
    for (const rel of expected.good) {
      const buf = new Uint8Array(readFileSync(join(root, rel)));
      const sniffed = sniffFormat(buf);
      if (sniffed.kind !== 'image') throw new Error(`${rel} should be an image`);
      const image = await decodeImage(buf, sniffed.format, target);
      const label = expected.classes.indexOf(rel.split('/')[0] ?? '');
      expect(cachedImagesOf(splits, label).has(hex(image.pixels)), rel).toBe(true);
    }
  });

  it('reports the channel mix found and picks the majority (colour → 3 channels, 32×32)', () => {
    expect(detail.inputShape).toEqual([32, 32, 3]);
    expect(detail.channelMix).toMatchObject({ cmyk: 1, 'rgb-16bit': 1, rgba: 1, gray: 1 });
    const total = Object.values(detail.channelMix).reduce((a, b) => a + b, 0);
    expect(total).toBe(expected.good.length);
    expect(detail.sizeStats.maxWidth).toBe(30);
    expect(detail.sizeStats.minWidth).toBe(20); // the EXIF-rotated 40×20 JPEG is 20 wide once oriented
    expect(detail.sizeStats.maxHeight).toBe(40);
  });

  it('warns only about what is true of it: the imbalance, no gray-in-colour hint', () => {
    expect(detail.warnings).toHaveLength(1);
    expect(detail.warnings[0]).toMatch(
      /^Strong class imbalance: 'cats' has 15 images but 'wölfe & co' only 3/,
    );
  });

  it('skips junk silently and does not mistake it for a class', () => {
    const paths = detail.problems.map((p) => p.path);
    for (const junk of expected.silent) expect(paths).not.toContain(junk);
    expect(detail.classes.map((c) => c.name)).not.toContain('__MACOSX');
  });
});

describe('whole-dataset faults are clear IMPORT_FAILED errors', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'prunelab-faults-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function folder(
    name: string,
    files: Record<string, Uint8Array | string>,
    dirs: string[] = [],
  ): Promise<string> {
    const root = join(base, name);
    for (const d of dirs) await mkdir(join(root, d), { recursive: true });
    for (const [rel, bytes] of Object.entries(files)) {
      await mkdir(join(root, rel, '..'), { recursive: true });
      await writeFile(join(root, rel), bytes);
    }
    return root;
  }

  async function importFails(root: string, message: RegExp): Promise<unknown> {
    const dataDir = join(base, `data-${Math.random().toString(36).slice(2)}`);
    const err = await importDataset('x', importOptions.parse({ path: root }), context(dataDir)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe('IMPORT_FAILED');
    expect((err as Error).message).toMatch(message);
    // nothing left behind
    expect(await readdir(join(dataDir, 'datasets'))).toEqual([]);
    return err;
  }

  it('an empty class folder', async () => {
    const root = await folder('empty-class', { 'a/1.png': await make.png(1), 'a/2.png': await make.png(2) }, [
      'b',
    ]);
    await importFails(root, /'b'.*no usable images/);
  });

  it('a class whose every file is bad, with the problems in the details', async () => {
    const root = await folder('all-bad', { 'a/1.png': await make.png(1), 'b/x.txt': 'hello', 'b/y.png': '' });
    const err = await importFails(root, /'b'.*no usable images.*2 file/);
    const details = (err as { details?: { problems: { path: string; reason: string }[] } }).details;
    expect(details?.problems.map((p) => [p.path, p.reason])).toEqual([
      ['b/x.txt', 'not-an-image'],
      ['b/y.png', 'empty-file'],
    ]);
  });

  it('a single class', async () => {
    await importFails(
      await folder('one-class', { 'only/1.png': await make.png(1) }),
      /Only one class folder \('only'\)/,
    );
  });

  it('no class folders at all', async () => {
    await importFails(
      await folder('flat', { '1.png': await make.png(1) }),
      /No class folders.*1 file\(s\) outside/,
    );
  });

  it('a path that does not exist', async () => {
    await importFails(join(base, 'nope'), /Nothing found at/);
  });
});

describe('files that change under the doctor', () => {
  it('a file deleted between the walk and its read is listed as unreadable; the rest imports', async () => {
    const base = await mkdtemp(join(tmpdir(), 'prunelab-vanish-'));
    try {
      const root = join(base, 'ds');
      for (const c of ['a', 'b']) await mkdir(join(root, c), { recursive: true });
      for (let i = 0; i < 3; i++) await writeFile(join(root, 'a', `${i}.png`), await make.png(i));
      for (let i = 0; i < 3; i++) await writeFile(join(root, 'b', `${i}.png`), await make.png(10 + i));
      const ctx: TaskContext = {
        signal: new AbortController().signal,
        dataDir: join(base, 'data'),
        emit: (e) => {
          // the walk has listed the files when it reports the scan; remove one before it is read
          if (e.type === 'progress' && e.phase === 'scan') rmSync(join(root, 'b', '1.png'), { force: true });
        },
      };
      const detail = await importDataset('v', importOptions.parse({ path: root }), ctx, { probeFiles: 1 });
      expect(detail.imported).toBe(5);
      expect(detail.problems).toEqual([
        { path: 'b/1.png', reason: 'unreadable', detail: 'file vanished or broken link' },
      ]);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

describe('the channel count', () => {
  it("follows the whole folder's majority even when the header probe guessed wrong (decoded again)", async () => {
    const base = await mkdtemp(join(tmpdir(), 'prunelab-majority-'));
    try {
      const root = join(base, 'ds');
      for (const c of ['a', 'b']) await mkdir(join(root, c), { recursive: true });
      await writeFile(join(root, 'a', '0-gray.png'), await make.grayPng(1)); // the one file the probe reads
      for (let i = 1; i < 4; i++) await writeFile(join(root, 'a', `${i}.png`), await make.png(i));
      for (let i = 0; i < 4; i++) await writeFile(join(root, 'b', `${i}.jpg`), await make.jpeg(10 + i));
      const events: TaskEvent[] = [];
      const detail = await importDataset(
        'm',
        importOptions.parse({ path: root }),
        context(join(base, 'data'), events),
        {
          probeFiles: 1,
        },
      );
      expect(detail.inputShape).toEqual([32, 32, 3]);
      expect(detail.imported).toBe(8);
      expect(detail.channelMix).toEqual({ gray: 1, rgb: 7 });
      // two decode passes: the first at the probe's 1 channel, the second at the majority's 3
      const restarts = events.filter((e) => e.type === 'progress' && e.phase === 'decode' && e.done === 8);
      expect(restarts).toHaveLength(2);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it("is the user's choice when given", async () => {
    const base = await mkdtemp(join(tmpdir(), 'prunelab-channels-'));
    try {
      const root = join(base, 'ds');
      for (const c of ['a', 'b']) await mkdir(join(root, c), { recursive: true });
      for (let i = 0; i < 3; i++) await writeFile(join(root, 'a', `${i}.png`), await make.png(i));
      for (let i = 0; i < 3; i++) await writeFile(join(root, 'b', `${i}.png`), await make.png(10 + i));
      const detail = await importDataset(
        'c',
        importOptions.parse({ path: root, channels: 1, size: 20 }),
        context(join(base, 'data')),
      );
      expect(detail.inputShape).toEqual([20, 20, 1]);
      expect(detail.channelMix).toEqual({ rgb: 6 });
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

describe('warnings', () => {
  it('gray images stored in colour are imported as asked, with a hint to use 1 channel', async () => {
    const base = await mkdtemp(join(tmpdir(), 'prunelab-graycolour-'));
    try {
      const root = join(base, 'ds');
      for (const c of ['a', 'b']) await mkdir(join(root, c), { recursive: true });
      for (let i = 0; i < 4; i++) {
        const gray = await sharp(grayPixels(20, 20, i), { raw: { width: 20, height: 20, channels: 1 } })
          .toColourspace('srgb') // stored as RGB
          .png()
          .toBuffer();
        await writeFile(join(root, i < 2 ? 'a' : 'b', `${i}.png`), gray);
      }
      const detail = await importDataset(
        'g',
        importOptions.parse({ path: root }),
        context(join(base, 'data')),
      );
      expect(detail.inputShape).toEqual([32, 32, 3]);
      expect(detail.channelMix).toEqual({ rgb: 4 });
      expect(detail.warnings).toEqual([
        'All 4 images are gray, though stored in colour: importing with 1 channel (channels: 1) gives a 3× smaller dataset and model input.',
      ]);
      // a colourful dataset gets no such hint (the hostile folder above has none)
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('strong class imbalance and loose files are warnings, not errors', async () => {
    const base = await mkdtemp(join(tmpdir(), 'prunelab-warn-'));
    try {
      const root = join(base, 'ds');
      await mkdir(join(root, 'many'), { recursive: true });
      await mkdir(join(root, 'few'), { recursive: true });
      for (let i = 0; i < 12; i++) await writeFile(join(root, 'many', `${i}.png`), await make.grayPng(i));
      await writeFile(join(root, 'few', '0.png'), await make.grayPng(100));
      await writeFile(join(root, 'README.txt'), 'about this dataset');
      const detail = await importDataset(
        'w',
        importOptions.parse({ path: root }),
        context(join(base, 'data')),
      );
      expect(detail.imported).toBe(13);
      expect(detail.warnings.join('\n')).toMatch(
        /Strong class imbalance: 'many' has 12 images but 'few' only 1/,
      );
      expect(detail.warnings.join('\n')).toMatch(
        /1 file\(s\) outside any class folder were ignored \(e.g. README.txt\)/,
      );
      expect(detail.inputShape).toEqual([28, 28, 1]); // all gray → 1 channel, 28×28
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
