import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkImageFolder } from '../../../src/main/engine/data/walkFolder';

describe('walkImageFolder', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'prunelab-walk-'));
  });
  const cleanup: string[] = [];
  afterAll(async () => {
    for (const dir of [base, ...cleanup]) await rm(dir, { recursive: true, force: true });
  });

  it('streams a 100,000-file class folder and returns the files sorted', async () => {
    // in memory where the OS offers it: creating 100k files on a disk is slower than the walk under test
    const root = join(existsSync('/dev/shm') ? await mkdtemp('/dev/shm/prunelab-walk-') : base, 'big');
    cleanup.push(join(root, '..'));
    await mkdir(join(root, 'a'), { recursive: true });
    await mkdir(join(root, 'b'), { recursive: true });
    const names = Array.from({ length: 100_000 }, (_, i) => `${String(i).padStart(6, '0')}.png`);
    if (process.platform === 'win32')
      for (let i = 0; i < names.length; i += 2000)
        await Promise.all(names.slice(i, i + 2000).map((n) => writeFile(join(root, 'a', n), '')));
    else execFileSync('sh', ['-c', "seq -f '%06g.png' 0 99999 | xargs touch"], { cwd: join(root, 'a') });
    await writeFile(join(root, 'b', 'x.png'), '');
    let reports = 0;
    const walk = await walkImageFolder(root, { maxDepth: 32, onProgress: () => reports++ });
    expect(walk.files).toHaveLength(100_001);
    expect(walk.files[0]?.relPath).toBe('a/000000.png');
    expect(walk.files[99_999]?.relPath).toBe('a/099999.png');
    expect(walk.files[100_000]).toMatchObject({ relPath: 'b/x.png', className: 'b', split: null });
    expect(reports).toBeGreaterThanOrEqual(20); // while listing the one huge folder, not only at the end
  });

  it('follows a symlinked folder from outside once, reports a second route to it and a loop to the root', async () => {
    const root = join(base, 'links');
    const outside = join(base, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'o.png'), '');
    await mkdir(join(root, 'a'), { recursive: true });
    await mkdir(join(root, 'b'), { recursive: true });
    await symlink(outside, join(root, 'a', 'more'));
    await symlink(outside, join(root, 'b', 'again'));
    await symlink(root, join(root, 'b', 'to-root'));
    const walk = await walkImageFolder(root, { maxDepth: 32 });
    expect(walk.files.map((f) => f.relPath)).toEqual(['a/more/o.png']);
    expect(walk.problems).toEqual([
      { path: 'b/again', reason: 'symlink-loop', detail: "links to 'a/more', which is already imported" },
      { path: 'b/to-root', reason: 'symlink-loop', detail: "links back to its own parent folder '.'" },
    ]);
  });

  it('stops with IMPORT_FAILED past the entry limit instead of filling memory', async () => {
    const root = join(base, 'too-many');
    await mkdir(join(root, 'a'), { recursive: true });
    for (let i = 0; i < 30; i++) await writeFile(join(root, 'a', `${i}.png`), '');
    await expect(walkImageFolder(root, { maxDepth: 32, maxEntries: 20 })).rejects.toMatchObject({
      code: 'IMPORT_FAILED',
      message: expect.stringMatching(/^a holds more than 20 files and folders/),
    });
  });

  it('stops listing a huge folder as soon as the import is cancelled', async () => {
    const root = join(base, 'cancel-listing');
    await mkdir(join(root, 'a'), { recursive: true });
    for (let i = 0; i < 9000; i += 500)
      await Promise.all(
        Array.from({ length: 500 }, (_, k) => writeFile(join(root, 'a', `${i + k}.png`), '')),
      );
    const controller = new AbortController();
    const seenAt: number[] = [];
    const walk = walkImageFolder(root, {
      maxDepth: 32,
      signal: controller.signal,
      onProgress: (seen) => {
        seenAt.push(seen);
        controller.abort();
      },
    });
    await expect(walk).rejects.toMatchObject({ name: 'AbortError' });
    expect(seenAt).toEqual([4096]);
  });

  it('recognises split folders by name, case-insensitively', async () => {
    const root = join(base, 'splits');
    for (const d of ['Train/x', 'Train/y', 'valid/x', 'TEST/y'])
      await mkdir(join(root, d), { recursive: true });
    for (const f of ['Train/x/1.png', 'Train/y/2.png', 'valid/x/3.png', 'TEST/y/4.png'])
      await writeFile(join(root, f), '');
    const walk = await walkImageFolder(root, { maxDepth: 32 });
    expect(walk.splitFolders).toBe(true);
    expect(walk.files.map((f) => [f.relPath, f.className, f.split])).toEqual([
      ['TEST/y/4.png', 'y', 'test'],
      ['Train/x/1.png', 'x', 'train'],
      ['Train/y/2.png', 'y', 'train'],
      ['valid/x/3.png', 'x', 'validation'],
    ]);
  });

  it('a folder named "test" among ordinary classes is a class, not a split', async () => {
    const root = join(base, 'classes');
    for (const d of ['test', 'cat']) await mkdir(join(root, d), { recursive: true });
    const walk = await walkImageFolder(root, { maxDepth: 32 });
    expect(walk.splitFolders).toBe(false);
    expect(walk.classFolders.map((c) => c.name)).toEqual(['cat', 'test']);
  });
});
