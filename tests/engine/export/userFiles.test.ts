// An export never deletes or overwrites what PruneLab did not write: a folder is replaced only when it is
// provably an earlier export of ours (its metadata's schema and exactly the files it lists, unchanged),
// and only when asked (`overwrite`); a zip likewise; and the decision is made again at the moment of
// replacement, not minutes before it.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel, type ExportModelOptions } from '../../../src/main/engine/export/exportModel';
import { verifyExportFiles } from '../../../src/main/engine/export/metadata';
import { inspectExportZip } from '../../../src/main/engine/export/outputFolder';
import { buildMixedModel, exportOptions, withTempDir } from './fixtures';

let model: tf.Sequential;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = buildMixedModel(5);
});
afterAll(() => model.dispose());

const options = (outDir: string, over: Partial<ExportModelOptions> = {}) =>
  exportOptions(model, outDir, over);

/** Every file and folder under `root` with the sha256 of each file: equal snapshots = nothing changed. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const key = relative(root, path);
      if (entry.isSymbolicLink()) {
        out[key] = `-> ${await readlink(path)}`;
      } else if (entry.isDirectory()) {
        out[`${key}/`] = 'dir';
        await walk(path);
      } else {
        out[key] = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
      }
    }
  }
  await walk(root);
  return out;
}

/** A thesis folder that happens to hold a metadata.json — even one claiming PruneLab's schema. */
async function thesisFolder(dir: string): Promise<void> {
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'thesis.tex'), '\\documentclass{article} four years of work');
  await writeFile(join(dir, 'src', 'main.c'), 'int main(void) { return 0; }');
  await writeFile(join(dir, 'model.json'), '{"mine": true}');
  await writeFile(
    join(dir, 'metadata.json'),
    JSON.stringify({
      schema: 'prunelab-export/1',
      files: [{ path: 'model.json', bytes: 14, sha256: '0'.repeat(64) }],
    }),
  );
}

const conflict = (message: RegExp) => ({
  name: 'ApiError',
  code: 'CONFLICT',
  message: expect.stringMatching(message),
});

describe('export output: user files', () => {
  it('refuses a folder that holds metadata.json among other files, with or without overwrite, and changes nothing', async () => {
    await withTempDir(async (root) => {
      const thesis = join(root, 'thesis');
      await thesisFolder(thesis);
      const before = await snapshot(root);
      await expect(exportModel(options(thesis))).rejects.toMatchObject(conflict(/is not a PruneLab export/));
      await expect(exportModel(options(thesis, { overwrite: true }))).rejects.toMatchObject(
        conflict(/thesis\.tex|src\//),
      );
      expect(await snapshot(root)).toEqual(before);
    });
  });

  it('replaces an earlier export only when asked, and then removes only the files it listed', async () => {
    await withTempDir(async (root) => {
      const out = join(root, 'export');
      await exportModel(options(out));
      const first = await snapshot(root);
      await expect(exportModel(options(out, { encoding: 'float16' }))).rejects.toMatchObject(
        conflict(/already holds a PruneLab export \(run run-1, tfjs float32.*--force/),
      );
      expect(await snapshot(root)).toEqual(first);

      const second = await exportModel(options(out, { encoding: 'float16', overwrite: true }));
      expect(second.parity.ok).toBe(true);
      expect(JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')).encoding).toBe('float16');
      expect((await verifyExportFiles(out)).ok).toBe(true);
      expect(await readdir(root)).toEqual(['export']); // no scratch or moved-aside folder left
    });
  });

  it('treats an export whose files were edited or added to as not ours', async () => {
    await withTempDir(async (root) => {
      const edited = join(root, 'edited');
      await exportModel(options(edited));
      await writeFile(join(edited, 'README.md'), 'my own notes on this model');
      const added = join(root, 'added');
      await exportModel(options(added));
      await writeFile(join(added, 'notes.txt'), 'keep me');
      const before = await snapshot(root);
      await expect(exportModel(options(edited, { overwrite: true }))).rejects.toMatchObject(
        conflict(/README\.md was changed since PruneLab wrote it/),
      );
      await expect(exportModel(options(added, { overwrite: true }))).rejects.toMatchObject(
        conflict(/notes\.txt, which PruneLab did not write/),
      );
      expect(await snapshot(root)).toEqual(before);
    });
  });

  it('never writes through a symbolic link or over a file', async () => {
    await withTempDir(async (root) => {
      const target = join(root, 'elsewhere');
      await mkdir(target);
      await symlink(target, join(root, 'link'));
      await writeFile(join(root, 'plain-file'), 'data');
      const before = await snapshot(root);
      await expect(exportModel(options(join(root, 'link'), { overwrite: true }))).rejects.toMatchObject(
        conflict(/symbolic link/),
      );
      await expect(exportModel(options(join(root, 'plain-file'), { overwrite: true }))).rejects.toMatchObject(
        conflict(/is a file/),
      );
      expect(await snapshot(root)).toEqual(before);
      expect((await lstat(join(root, 'link'))).isSymbolicLink()).toBe(true);
    });
  });

  it('decides again at the moment of replacement: a folder that appeared during the export is left alone', async () => {
    await withTempDir(async (root) => {
      const out = join(root, 'export');
      // The check passes (nothing at `out`); during the parity check — minutes, on a real model — the
      // user saves their work there.
      const run = exportModel(
        options(out, {
          overwrite: true,
          onProgress: (phase) => {
            if (phase === 'parity') void thesisFolder(out);
          },
        }),
      );
      await expect(run).rejects.toMatchObject(conflict(/is not a PruneLab export/));
      expect(Object.keys(await snapshot(out)).sort()).toEqual([
        'metadata.json',
        'model.json',
        'src/',
        'src/main.c',
        'thesis.tex',
      ]);
      expect(await readFile(join(out, 'thesis.tex'), 'utf8')).toMatch(/four years of work/);
      expect(await readdir(root)).toEqual(['export']); // the scratch folder went too
    });
  });

  it('never overwrites an existing zip that is not ours; replaces its own zip only when asked', async () => {
    await withTempDir(async (root) => {
      const out = join(root, 'export');
      await writeFile(`${out}.zip`, zipSync({ 'holiday.jpg': new Uint8Array([1, 2, 3]) }));
      const before = await snapshot(root);
      await expect(exportModel(options(out, { zip: true, overwrite: true }))).rejects.toMatchObject(
        conflict(/export\.zip is not a PruneLab export \(it is not a zip PruneLab wrote\)/),
      );
      expect(await snapshot(root)).toEqual(before);

      const mine = join(root, 'mine');
      const first = await exportModel(options(mine, { zip: true }));
      expect((await inspectExportZip(first.zipPath!)).kind).toBe('export');
      const firstZip = await snapshot(root);
      await expect(exportModel(options(mine, { zip: true, encoding: 'uint8' }))).rejects.toMatchObject(
        conflict(/mine(\.zip)? already holds a PruneLab export/),
      );
      expect(await snapshot(root)).toEqual(firstZip);
      await exportModel(options(mine, { zip: true, encoding: 'uint8', overwrite: true }));
      const zip = await inspectExportZip(`${mine}.zip`);
      expect(zip).toMatchObject({ kind: 'export', summary: expect.stringContaining('tfjs uint8') });
      expect((await readdir(root)).sort()).toEqual(['export.zip', 'mine', 'mine.zip']);
    });
  });
});
