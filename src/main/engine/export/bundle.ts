import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { writeFileDurably } from '../files/durable';

/** Zips named file contents (flat, in the given order) into one archive's bytes. */
export function zipBundle(files: readonly { name: string; bytes: Uint8Array }[]): Uint8Array {
  const entries: Zippable = {};
  for (const f of files) entries[f.name] = f.bytes;
  // Fixed timestamps keep the archive byte-identical for identical contents.
  return zipSync(entries, { level: 9, mtime: new Date('2000-01-01T00:00:00Z') });
}

/** Zips the named files of a folder (flat, in the given order) into a new file, flushed to disk. */
export async function writeZipBundle(dir: string, files: string[], zipPath: string): Promise<void> {
  const contents: { name: string; bytes: Uint8Array }[] = [];
  for (const name of files) contents.push({ name, bytes: new Uint8Array(await readFile(join(dir, name))) });
  await writeFileDurably(zipPath, zipBundle(contents), 'wx');
}
