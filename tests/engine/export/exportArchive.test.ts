// An export is zipped for download only when every file is exactly what PruneLab wrote: metadata.json
// hashing to the recorded sha256, each listed file a plain file in the folder with its recorded sha256.
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/errors';
import { exportArchive } from '../../../src/main/engine/export/exportArchive';
import { sha256, writeExportFolder } from './exportFolder';
import { withTempDir } from './fixtures';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => (err instanceof ApiError ? err.code : String(err)),
  );

describe('exportArchive', () => {
  it('zips the listed files and metadata.json, nothing else in the folder', async () => {
    await withTempDir(async (root) => {
      const dir = join(root, 'tfjs-float32');
      const sum = await writeExportFolder(dir);
      await writeFile(join(dir, 'notes.txt'), 'not part of the export');
      const files = unzipSync(await exportArchive(dir, sum));
      expect(Object.keys(files)).toEqual([
        'model.json',
        'group1-shard1of1.bin',
        'README.md',
        'metadata.json',
      ]);
      expect(new TextDecoder().decode(files['group1-shard1of1.bin'])).toBe('weights');
      expect(sha256(files['metadata.json']!)).toBe(sum);
    });
  });

  it('refuses an export changed since it was written, a swapped metadata.json and a missing folder', async () => {
    await withTempDir(async (root) => {
      const dir = join(root, 'e');
      const sum = await writeExportFolder(dir);
      expect(await code(exportArchive(dir, 'f'.repeat(64)))).toBe('CONFLICT');
      await writeFile(join(dir, 'group1-shard1of1.bin'), 'weightz');
      await expect(exportArchive(dir, sum)).rejects.toThrow(/group1-shard1of1\.bin has changed/);
      await writeFile(join(dir, 'group1-shard1of1.bin'), 'weights');
      expect(await code(exportArchive(dir, sum))).toBe('ok');
      await rm(join(dir, 'README.md'));
      expect(await code(exportArchive(dir, sum))).toBe('NOT_FOUND');
      expect(await code(exportArchive(join(root, 'gone'), sum))).toBe('NOT_FOUND');
    });
  });

  it('never follows a listed path out of the folder, nor a link', async () => {
    await withTempDir(async (root) => {
      await writeFile(join(root, 'secret.txt'), 'secret');
      const outside = { path: '../secret.txt', bytes: 6, sha256: sha256('secret') };
      const escaping = join(root, 'escaping');
      const sum = await writeExportFolder(escaping, {}, [outside]);
      await expect(exportArchive(escaping, sum)).rejects.toThrow(/not a file of the export/);

      const linked = join(root, 'linked');
      await mkdir(linked);
      await symlink(join(root, 'secret.txt'), join(linked, 'model.json'));
      const linkedSum = await writeExportFolder(linked, {}, [
        { path: 'model.json', bytes: 6, sha256: sha256('secret') },
      ]);
      await expect(exportArchive(linked, linkedSum)).rejects.toThrow(/model\.json is not a plain file/);

      const folderLink = join(root, 'folder-link');
      await symlink(escaping, folderLink);
      expect(await code(exportArchive(folderLink, sum))).toBe('CONFLICT');
    });
  });
});
