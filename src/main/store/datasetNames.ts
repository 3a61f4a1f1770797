// Dataset names are unique (case-insensitively, as the datasets_by_name index compares them). A clash is
// resolved by saying what differs — the image count, else the shape — before falling back to a number, so
// two imports of folders named fashion-mnist read "fashion-mnist" and "fashion-mnist (70,000 images)".
// Migration 004 names clashing datasets with this too: a change here changes only which unique names a
// database not yet migrated would get, never whether they are unique.

/** The longest name the API accepts (schemas.ts). */
export const MAX_DATASET_NAME = 200;

export interface DatasetNameFacts {
  imported: number;
  /** [height, width, channels] */
  inputShape: readonly [number, number, number];
}

function withSuffix(base: string, suffix: string): string {
  const room = MAX_DATASET_NAME - suffix.length - 3;
  return `${base.length > room ? base.slice(0, room).trimEnd() : base} (${suffix})`;
}

/**
 * `base` if free; else a suffix that says how this dataset differs from the one holding `base` — its image
 * count ("base (70,000 images)"), else its shape ("base (32×32×3)") — if that name is free; else "base (2)",
 * "base (3)"… `holder(name)` gives the facts of the dataset with that name, or null when it is free.
 */
export function uniqueDatasetName(
  base: string,
  facts: DatasetNameFacts,
  holder: (name: string) => DatasetNameFacts | null,
): string {
  const name = base.slice(0, MAX_DATASET_NAME);
  const clash = holder(name);
  if (!clash) return name;
  const [h, w, c] = facts.inputShape;
  const described: string[] = [];
  if (clash.imported !== facts.imported)
    described.push(withSuffix(base, `${facts.imported.toLocaleString('en-US')} images`));
  if (clash.inputShape.join() !== facts.inputShape.join()) described.push(withSuffix(base, `${h}×${w}×${c}`));
  for (const candidate of described) if (!holder(candidate)) return candidate;
  for (let n = 2; ; n++) {
    const candidate = withSuffix(base, String(n));
    if (!holder(candidate)) return candidate;
  }
}

const SEPARATOR = ' · ';

/**
 * Run and sweep names carry their dataset's name as one " · "-separated part ("taylor 80% · fashion-mnist
 * · dense"); this swaps that part. Names a user typed without it are returned unchanged.
 */
export function renameInLabel(label: string, oldName: string, newName: string): string {
  const parts = label.split(SEPARATOR);
  if (!parts.includes(oldName)) return label;
  return parts.map((p) => (p === oldName ? newName : p)).join(SEPARATOR);
}
