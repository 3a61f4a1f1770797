// What a refused payload field allows, in words ("one of taylor, gradient, magnitude, random", "at
// least 1", "a whole number"), so every edge — the API's VALIDATION errors, the CLI's flag errors, a form —
// can say what to give instead of quoting the schema library.
import type { z } from 'zod';

/** One refused field of a payload, as VALIDATION errors carry it in `details.issues`. */
export interface ValidationIssue {
  /** dotted path into the payload, e.g. 'config.prune.criterion' ('' = the payload itself) */
  path: string;
  message: string;
  /** what the field accepts, when the schema says it plainly */
  allowed?: string;
}

const typeWords: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function bound(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean; origin?: string }) {
  const limit = issue.minimum ?? issue.maximum;
  const low = issue.minimum !== undefined;
  const n = Number(limit);
  switch (issue.origin) {
    case 'string':
      return `${low ? 'at least' : 'at most'} ${n} character${n === 1 ? '' : 's'}`;
    case 'array':
    case 'set':
      return `${low ? 'at least' : 'at most'} ${n} item${n === 1 ? '' : 's'}`;
    default:
      if (issue.inclusive === false) return `${low ? 'greater than' : 'less than'} ${String(limit)}`;
      return `${low ? 'at least' : 'at most'} ${String(limit)}`;
  }
}

/** What the field allows, when the issue says it plainly; undefined for custom checks (use the message). */
export function describeAllowed(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_value':
      return issue.values.length === 1
        ? String(issue.values[0])
        : `one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
    case 'too_big':
      return bound(issue);
    case 'invalid_type':
      return typeWords[issue.expected] ?? undefined;
    case 'unrecognized_keys':
      return `without ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return undefined;
  }
}

export function toValidationIssue(issue: z.core.$ZodIssue): ValidationIssue {
  const allowed = describeAllowed(issue);
  return {
    path: issue.path.map(String).join('.'),
    message: allowed === undefined ? issue.message : `must be ${allowed}`,
    ...(allowed === undefined ? {} : { allowed }),
  };
}
