// A hand-made export folder as exportModel leaves it (files, then metadata.json listing each with its
// size and sha256), for tests of what is served from an export without training a model.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** Writes the files and their metadata.json into `dir`; returns metadata.json's sha256 (what the store keeps). */
export async function writeExportFolder(
  dir: string,
  files: Record<string, string> = {
    'model.json': '{"format":"layers-model"}',
    'group1-shard1of1.bin': 'weights',
    'README.md': '# model',
  },
  listed: { path: string; bytes: number; sha256: string }[] | null = null,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const entries =
    listed ??
    Object.entries(files).map(([path, text]) => ({
      path,
      bytes: Buffer.byteLength(text),
      sha256: sha256(text),
    }));
  const metadata = `${JSON.stringify({ schema: 'prunelab-export/1', format: 'tfjs', files: entries }, null, 2)}\n`;
  await writeFile(join(dir, 'metadata.json'), metadata);
  return sha256(metadata);
}
