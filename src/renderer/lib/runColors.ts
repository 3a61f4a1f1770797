// Stable per-run colours: a run keeps its colour across every chart, table and map of a comparison,
// and (collisions aside) across comparisons, because the colour comes from its id.

export const runPalette = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#8cd17d',
] as const;

function hash(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Assigns each id a distinct palette colour (up to 10), preferring the colour its id hashes to. */
export function assignRunColors(ids: string[]): Map<string, string> {
  const taken = new Set<number>();
  const out = new Map<string, string>();
  for (const id of ids) {
    let slot = hash(id) % runPalette.length;
    for (let k = 0; k < runPalette.length && taken.has(slot); k++) slot = (slot + 1) % runPalette.length;
    taken.add(slot);
    out.set(id, runPalette[slot] ?? '#888888');
  }
  return out;
}
