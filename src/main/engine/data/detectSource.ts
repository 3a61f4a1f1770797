// The source kind comes from the path itself: CIFAR-10 binary batches, MNIST-style IDX files, or else a
// folder of class folders.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { DatasetKind } from '../../../shared/dto';
import { importFailed } from './errors';

export const cifarBatchPattern = /^(data_batch_\d+|test_batch)\.bin$/i;
export const idxImagesPattern = /idx3-ubyte(\.gz)?$/i;

export interface DetectedSource {
  kind: DatasetKind;
  /** the folder to read (a file path is resolved to its folder) */
  dir: string;
}

export async function detectSource(path: string): Promise<DetectedSource> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw importFailed(
      code === 'ENOENT' ? `Nothing found at ${path}.` : `Cannot open ${path} (${code ?? String(err)}).`,
    );
  }
  if (st.isFile()) {
    const name = basename(path);
    if (cifarBatchPattern.test(name)) return { kind: 'cifar', dir: dirname(path) };
    if (idxImagesPattern.test(name)) return { kind: 'idx', dir: dirname(path) };
    throw importFailed(
      `${path} is a file. Choose a folder with one subfolder per class, a folder of MNIST-style IDX files, or a CIFAR-10 binary folder.`,
    );
  }
  if (!st.isDirectory()) throw importFailed(`${path} is neither a file nor a folder.`);
  let names: string[];
  try {
    names = await readdir(path);
  } catch (err) {
    throw importFailed(
      `Cannot read the folder ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`,
    );
  }
  if (names.some((n) => cifarBatchPattern.test(n))) return { kind: 'cifar', dir: path };
  if (names.some((n) => idxImagesPattern.test(n))) return { kind: 'idx', dir: path };
  return { kind: 'folder', dir: path };
}
