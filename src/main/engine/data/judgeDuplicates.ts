// Settles what the decode pass found about identical files, in file order.
import type { ImportProblem } from '../../../shared/dto';
import type { Outcome } from './decodePass';
import type { FileEntry } from './walkFolder';

export interface Verdicts {
  kept: { index: number; slot: number; width: number; height: number; layout: string; colourless: boolean }[];
  problems: ImportProblem[];
}

/**
 * Settles duplicates in file order, independent of which copy the pool happened to decode: copies in one
 * class keep the first and list the rest as duplicates; copies under two or more classes are label
 * conflicts, and every copy is left out (which label is right cannot be known).
 */
export function judgeDuplicates(files: FileEntry[], outcomes: Outcome[]): Verdicts {
  const groups = new Map<string, number[]>();
  const decodedOf = new Map<string, Outcome>();
  outcomes.forEach((o, i) => {
    if (o.hash === undefined) return;
    if (o.kind !== 'copy') decodedOf.set(o.hash, o);
    const g = groups.get(o.hash);
    if (g) g.push(i);
    else groups.set(o.hash, [i]);
  });
  const kept: Verdicts['kept'] = [];
  const problems: ImportProblem[] = [];
  outcomes.forEach((o, i) => {
    const entry = files[i] as FileEntry;
    if (o.kind === 'problem') {
      problems.push({ path: entry.relPath, reason: o.reason, detail: o.detail });
      return;
    }
    // a copy shares the verdict of the copy that was decoded
    const decoded = decodedOf.get(o.hash);
    if (!decoded || decoded.kind !== 'ok') {
      const reason = decoded?.kind === 'problem' ? decoded.reason : 'corrupt';
      problems.push({
        path: entry.relPath,
        reason,
        detail: decoded?.kind === 'problem' ? decoded.detail : 'not decoded',
      });
      return;
    }
    const group = groups.get(o.hash) ?? [i];
    const classes =
      group.length === 1 ? [entry.className] : [...new Set(group.map((g) => files[g]?.className))];
    if (classes.length > 1) {
      const others = classes.filter((c) => c !== entry.className).map((c) => `'${c}'`);
      problems.push({
        path: entry.relPath,
        reason: 'label-conflict',
        detail: `the same image is also under ${others.join(', ')}`,
      });
    } else if (group[0] !== i) {
      problems.push({
        path: entry.relPath,
        reason: 'duplicate',
        detail: `same content as ${files[group[0] ?? i]?.relPath}`,
      });
    } else {
      kept.push({
        index: i,
        slot: decoded.slot,
        width: decoded.width,
        height: decoded.height,
        layout: decoded.layout,
        colourless: decoded.colourless,
      });
    }
  });
  return { kept, problems };
}
