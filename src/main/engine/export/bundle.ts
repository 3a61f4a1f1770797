import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

/** Zips the named files of a folder (flat, in the given order) into one archive. */
export async function writeZipBundle(dir: string, files: string[], zipPath: string): Promise<void> {
  const entries: Zippable = {};
  for (const name of files) entries[name] = new Uint8Array(await readFile(join(dir, name)));
  // Fixed timestamps keep the archive byte-identical for identical contents.
  await writeFile(zipPath, zipSync(entries, { level: 9, mtime: new Date('2000-01-01T00:00:00Z') }));
}
