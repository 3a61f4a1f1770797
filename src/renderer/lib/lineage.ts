// Lineage: a dense run and the prune runs made from it (DESIGN: a prune run always has a dense parent).
import type { RunSummary } from '../../shared/dto';

/** The runs made from `parentId`, oldest first (the order they were started in). */
export function childrenOf(runs: readonly RunSummary[], parentId: string): RunSummary[] {
  return runs
    .filter((r) => r.parentRunId === parentId)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export type LineageRow =
  /** depth 0: a dense run (or one without a parent); depth 1: made from the row's group head */
  | { kind: 'run'; run: RunSummary; depth: 0 | 1 }
  /** heads a group whose parent is not in the list (filtered out or deleted) */
  | { kind: 'parent'; parentId: string; text: string };

/**
 * Rows grouped by parent, keeping the given order (already sorted and filtered): a group sits where its
 * first run does; a dense run heads its group, the runs made from it follow in their own order. Runs whose
 * parent is filtered out or deleted are gathered under a line naming that parent.
 */
export function groupByParent(shown: readonly RunSummary[], all: readonly RunSummary[]): LineageRow[] {
  const shownIds = new Set(shown.map((r) => r.id));
  const groupOf = (r: RunSummary) => r.parentRunId ?? r.id;
  const groups = new Map<string, RunSummary[]>();
  for (const r of shown) groups.set(groupOf(r), [...(groups.get(groupOf(r)) ?? []), r]);
  const rows: LineageRow[] = [];
  for (const [key, members] of groups) {
    if (shownIds.has(key)) {
      const head = members.find((r) => r.id === key)!;
      rows.push({ kind: 'run', run: head, depth: 0 });
      for (const r of members) if (r !== head) rows.push({ kind: 'run', run: r, depth: 1 });
      continue;
    }
    const parent = all.find((p) => p.id === key);
    rows.push({
      kind: 'parent',
      parentId: key,
      text: parent ? `made from ${parent.name} (hidden by the filters)` : 'made from a deleted run',
    });
    for (const r of members) rows.push({ kind: 'run', run: r, depth: 1 });
  }
  return rows;
}
