import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { writeFileDurably } from '../files/durable';

/** Zips the named files of a folder (flat, in the given order) into a new file, flushed to disk. */
export async function writeZipBundle(dir: string, files: string[], zipPath: string): Promise<void> {
  const entries: Zippable = {};
  for (const name of files) entries[name] = new Uint8Array(await readFile(join(dir, name)));
  // Fixed timestamps keep the archive byte-identical for identical contents.
  await writeFileDurably(
    zipPath,
    zipSync(entries, { level: 9, mtime: new Date('2000-01-01T00:00:00Z') }),
    'wx',
  );
}
