// Side-by-side configuration rows for Compare: every leaf of each run's config as a dotted path.
import type { RunConfig } from '../../shared/dto';

export function flattenConfig(
  value: unknown,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = JSON.stringify(value);
  }
  return out;
}

export interface ConfigRow {
  path: string;
  values: string[];
  differs: boolean;
}

/** One row per path found in any config; '—' where a run has no such setting (e.g. a train-only run). */
export function configRows(configs: RunConfig[]): ConfigRow[] {
  const flat = configs.map((c) => flattenConfig(c));
  const paths = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return paths.map((path) => {
    const values = flat.map((f) => f[path] ?? '—');
    return { path, values, differs: new Set(values).size > 1 };
  });
}
