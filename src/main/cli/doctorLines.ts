// The import doctor's list of left-out files as CLI lines — one per file with its reason — shared by the
// import report and an import that failed because every file of a class was left out.
import type { ImportProblem } from '../../shared/dto';

const SHOWN = 50;

function isProblem(value: unknown): value is ImportProblem {
  const p = value as Partial<ImportProblem> | null;
  return typeof p?.path === 'string' && typeof p.reason === 'string';
}

/** The problems an error's details carry (an import's left-out files), if any. */
export function problemsIn(details: unknown): ImportProblem[] {
  const problems = (details as { problems?: unknown } | null | undefined)?.problems;
  return Array.isArray(problems) ? problems.filter(isProblem) : [];
}

export function problemLines(problems: readonly ImportProblem[]): string[] {
  if (problems.length === 0) return [];
  return [
    `  left out (${problems.length}):`,
    ...problems
      .slice(0, SHOWN)
      .map((p) => `    ${p.reason.padEnd(16)} ${p.path}${p.detail ? ` — ${p.detail}` : ''}`),
    ...(problems.length > SHOWN ? [`    … and ${problems.length - SHOWN} more (use --json for all)`] : []),
  ];
}
