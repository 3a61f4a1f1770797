// What IDX and CIFAR imports share: their options and how their classes get names.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResizeMode } from '../../../shared/dto';
import type { DatasetChannels } from './channelPolicy';
import { importFailed } from './errors';

export interface RawImportOptions {
  size?: number;
  channels?: DatasetChannels;
  resizeMode: ResizeMode;
  /** overrides any class-names file */
  classNames?: string[];
  signal?: AbortSignal;
  onProgress?: (phase: string, done: number, total: number) => void;
}

const classFileNames = ['classes.txt', 'class_names.txt', 'labels.txt', 'batches.meta.txt'];

/** Non-empty lines of the first class-names file present in `dir` (`names` = its listing), or null. */
export async function readClassNamesFile(dir: string, names: string[]): Promise<string[] | null> {
  for (const candidate of classFileNames) {
    if (!names.includes(candidate)) continue;
    const lines = (await readFile(join(dir, candidate), 'utf8')).split(/\r?\n/).map((l) => l.trim());
    const classes = lines.filter((l) => l.length > 0);
    if (classes.length > 0) return classes;
  }
  return null;
}

/** Class names for labels 0…maxLabel: the given names, else the numbers; too few names is an error. */
export function nameClasses(maxLabel: number, names: string[] | null, source: string): string[] {
  if (!names) return Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  if (names.length <= maxLabel)
    throw importFailed(`${source} has labels up to ${maxLabel} but only ${names.length} class names.`);
  return names;
}
