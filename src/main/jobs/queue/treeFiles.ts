// The regular files under a folder (or the one file a path names), with paths relative to a root.
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export async function listFiles(path: string, root: string): Promise<{ absolute: string; path: string }[]> {
  const info = await stat(path);
  if (info.isFile()) return [{ absolute: path, path: relative(root, path).split(sep).join('/') }];
  if (!info.isDirectory()) return [];
  const out: { absolute: string; path: string }[] = [];
  for (const name of (await readdir(path)).sort()) out.push(...(await listFiles(join(path, name), root)));
  return out;
}
