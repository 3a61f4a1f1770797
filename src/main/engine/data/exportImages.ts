// Writes a cached dataset back out as PNG files in split and class folders —
// <out>/<dataset>/{train,validation,test}/<class>/<split>-<index>.png — the layout the importer reads as
// given split folders, so an export re-imports to the same dataset. Written to a temporary folder and renamed
// at the end: a cancel or failure leaves nothing half-written.
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScratchJournal } from '../files/journal';
import { scratchSibling } from '../files/scratchNames';
import { readDatasetCache } from './cache';
import { encodePng } from './encodePng';
import { throwIfAborted } from './errors';
import { runPool } from './pool';
import { splitNames } from './split';

/** A file-system-safe folder name: no separators, no control or reserved characters, no leading dot. */
export function safeFolderName(name: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f<>:"/\\|?*]/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 120);
  return cleaned.length > 0 ? cleaned : 'unnamed';
}

async function freePath(base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base} (${n})`;
    const exists = await stat(candidate).then(
      () => true,
      () => false,
    );
    if (!exists) return candidate;
  }
}

export interface ExportImagesOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** notes the scratch folder written beside the user's folder, so a start after a crash removes it */
  journal?: ScratchJournal;
}

export async function exportDatasetImages(
  datasetDir: string,
  outDir: string,
  options: ExportImagesOptions = {},
): Promise<{ files: number; outDir: string }> {
  const { detail, splits } = await readDatasetCache(datasetDir);
  await mkdir(outDir, { recursive: true });
  const target = await freePath(join(outDir, safeFolderName(detail.name)));
  const temp = scratchSibling(target, 'partial');
  const release = options.journal ? await options.journal.track(temp, 'folder') : async () => undefined;
  const classFolders = splits.classes.map((c, i) => {
    const safe = safeFolderName(c);
    return splits.classes.findIndex((o) => safeFolderName(o) === safe) === i ? safe : `${safe}-${i}`;
  });
  const total = splitNames.reduce((n, s) => n + splits[s].count, 0);
  let done = 0;
  const every = Math.max(1, Math.floor(total / 100));
  try {
    for (const split of splitNames) {
      const set = splits[split];
      for (const folder of classFolders) await mkdir(join(temp, split, folder), { recursive: true });
      const perImage = set.height * set.width * set.channels;
      const indices = Array.from({ length: set.count }, (_, i) => i);
      const width = String(Math.max(0, set.count - 1)).length;
      await runPool(
        indices,
        8,
        async (i) => {
          const png = await encodePng(
            set.images.subarray(i * perImage, (i + 1) * perImage),
            set.height,
            set.width,
            set.channels,
          );
          const folder = classFolders[set.labels[i] ?? 0] ?? 'unlabelled';
          await writeFile(join(temp, split, folder, `${split}-${String(i).padStart(width, '0')}.png`), png);
          if (++done % every === 0 || done === total) options.onProgress?.(done, total);
        },
        options.signal,
      );
      throwIfAborted(options.signal);
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  } finally {
    await release();
  }
  return { files: total, outDir: target };
}
