// An export as one zip, built from its folder only after checking that every file is what PruneLab wrote:
// metadata.json must hash to the sha256 the history recorded, and every file it lists must be a plain
// file in the folder (no links, no subfolders) with its recorded size and sha256. So a download can never
// hand out a file PruneLab did not write, nor one changed since.
import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../../shared/errors';
import { zipBundle } from './bundle';
import { METADATA_FILE, type ExportMetadata } from './metadata';

/** Largest export a download zips in memory (PruneLab's presets export a few MiB). */
export const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function refused(message: string, code: 'CONFLICT' | 'NOT_FOUND' | 'VALIDATION' = 'CONFLICT'): ApiError {
  return new ApiError({ code, message });
}

/** A listed name must be a file directly in the export folder. */
function isPlainName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= 255 &&
    name !== '.' &&
    name !== '..' &&
    !/[\\/\0]/.test(name)
  );
}

async function readPlainFile(dir: string, name: string, budget: number): Promise<Uint8Array> {
  const path = join(dir, name);
  const info = await lstat(path).catch(() => null);
  if (!info) throw refused(`the export's ${name} is missing`, 'NOT_FOUND');
  if (!info.isFile()) throw refused(`the export's ${name} is not a plain file`);
  if (info.size > budget) throw refused(`the export is larger than ${MAX_ARCHIVE_BYTES} bytes`);
  return new Uint8Array(await readFile(path));
}

/**
 * The zip of the export in `dir`, whose metadata.json hashed to `metadataSha256` when it was written.
 * Throws ApiError NOT_FOUND when the folder or a file is gone, CONFLICT when anything no longer matches.
 */
export async function exportArchive(dir: string, metadataSha256: string): Promise<Uint8Array> {
  const folder = await lstat(dir).catch(() => null);
  if (!folder) throw refused(`the export folder ${dir} is gone`, 'NOT_FOUND');
  if (!folder.isDirectory()) throw refused(`${dir} is not the export folder PruneLab wrote`);
  let budget = MAX_ARCHIVE_BYTES;
  const metadataBytes = await readPlainFile(dir, METADATA_FILE, budget);
  if (sha256(metadataBytes) !== metadataSha256)
    throw refused(`the export in ${dir} has changed since PruneLab wrote it (metadata.json differs)`);
  budget -= metadataBytes.length;
  const metadata = JSON.parse(Buffer.from(metadataBytes).toString('utf8')) as Partial<ExportMetadata>;
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (const entry of metadata.files ?? []) {
    if (!isPlainName(entry.path) || entry.path === METADATA_FILE)
      throw refused(
        `the export's metadata.json lists ${JSON.stringify(entry.path)}, not a file of the export`,
      );
    const bytes = await readPlainFile(dir, entry.path, budget);
    if (bytes.length !== entry.bytes || sha256(bytes) !== entry.sha256)
      throw refused(`the export's ${entry.path} has changed since PruneLab wrote it`);
    budget -= bytes.length;
    files.push({ name: entry.path, bytes });
  }
  return zipBundle([...files, { name: METADATA_FILE, bytes: metadataBytes }]);
}
