// A job's input names files by where they are on the coordinator; on a worker the same files sit in the
// job's scratch folder. These move every path in a value from one data directory to the other, leaving
// everything else (numbers, typed arrays, other strings) as it is.
import { sep } from 'node:path';

function movePath(value: string, from: string, to: string): string {
  if (value === from) return to;
  for (const separator of new Set([sep, '/'])) {
    if (value.startsWith(from + separator)) return to + value.slice(from.length);
  }
  return value;
}

export function rewritePaths<T>(value: T, from: string, to: string): T {
  if (typeof value === 'string') return movePath(value, from, to) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => rewritePaths(item, from, to)) as T;
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = rewritePaths(item, from, to);
    return out as T;
  }
  return value;
}
