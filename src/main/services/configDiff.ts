// What differs between the configs of compared runs, as dotted paths with one value per run.
import type { ConfigDifference } from '../../shared/dto';

export function flattenConfig(
  value: unknown,
  prefix = '',
  out = new Map<string, string>(),
): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value))
      flattenConfig(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

export function diffConfigs(configs: unknown[]): ConfigDifference[] {
  const flat = configs.map((c) => flattenConfig(c));
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  const differences: ConfigDifference[] = [];
  for (const path of paths) {
    const values = flat.map((f) => f.get(path) ?? '—');
    if (new Set(values).size > 1) differences.push({ path, values });
  }
  return differences;
}
