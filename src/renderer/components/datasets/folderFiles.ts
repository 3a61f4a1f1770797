// Collects the files of a dropped or picked folder with their relative paths (browser APIs only).
import type { FolderFile } from '../../api/client';

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries answers in batches (about 100 in Chromium) until it returns an empty one.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (!batch.length) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: FolderFile[], limit: number): Promise<void> {
  if (out.length >= limit) return;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    out.push({ relativePath: entry.fullPath.replace(/^\/+/, ''), file });
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader()))
      await walk(child, out, limit);
  }
}

export async function filesFromDrop(items: DataTransferItemList, limit = 200_000): Promise<FolderFile[]> {
  const entries = [...items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  const out: FolderFile[] = [];
  for (const e of entries) await walk(e, out, limit);
  return out;
}

export function filesFromInput(list: FileList): FolderFile[] {
  return [...list].map((file) => ({ relativePath: file.webkitRelativePath || file.name, file }));
}
