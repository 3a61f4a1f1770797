// How the CLI words a bad flag: which flag, what it allows, what it got — "--criterion must be one of
// taylor, gradient, magnitude, random, got "foo"" — whether the CLI checks the value itself or the API's
// schema refuses it (withFlags maps a refused payload field back to the flag that set it). Usage errors
// exit with code 2.
import type { z } from 'zod';
import { ApiError } from '../../shared/errors';
import { toValidationIssue, type ValidationIssue } from '../../shared/validation';
import { CliError, type OptionValues } from './command';

export const USAGE_EXIT = 2;

/** A usage mistake, optionally followed by the command's usage line. */
export function usageError(message: string, usage?: string): CliError {
  return new CliError(usage ? `${message}\nUsage: ${usage}` : message, {
    exitCode: USAGE_EXIT,
    code: 'USAGE',
  });
}

/** "--flag must be <allowed>, got "<value>"" as a usage error. */
export function flagError(flag: string, allowed: string, got?: unknown): CliError {
  const shown = got === undefined || got === true ? '' : `, got "${String(got)}"`;
  return usageError(`--${flag} must be ${allowed}${shown}`);
}

/** A flag that must be given, with what it is for. */
export function requireFlag(values: OptionValues, flag: string, what: string, usage: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value.trim() === '')
    throw usageError(`--${flag} ${what} is required`, usage);
  return value;
}

/** Parses a number flag; anything else is a usage error that names the flag. */
export function numberOption(
  values: Record<string, unknown>,
  flag: string,
  kind: 'int' | 'float' = 'float',
): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (
    typeof raw !== 'string' ||
    raw.trim() === '' ||
    !Number.isFinite(n) ||
    (kind === 'int' && !Number.isInteger(n))
  ) {
    throw flagError(flag, kind === 'int' ? 'a whole number' : 'a number', raw);
  }
  return n;
}

/** A flag whose value is one of a few words. */
export function choiceOption<T extends string>(
  values: OptionValues,
  flag: string,
  choices: readonly T[],
): T | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && (choices as readonly string[]).includes(raw)) return raw as T;
  throw flagError(flag, `one of ${choices.join(', ')}`, raw);
}

/**
 * Payload paths (as the API names a refused field, e.g. 'config.train.epochs') → the flag that sets them.
 * A path maps through its longest listed prefix; a list names alternatives (the first one given is blamed).
 */
export type FlagMap = Record<string, string | readonly string[]>;

function flagFor(path: string, flags: FlagMap, values: OptionValues): string | null {
  for (let parts = path.split('.'); parts.length > 0; parts = parts.slice(0, -1)) {
    const entry = flags[parts.join('.')];
    if (entry === undefined) continue;
    const names = typeof entry === 'string' ? [entry] : entry;
    return names.find((n) => values[n] !== undefined) ?? names[0] ?? null;
  }
  return null;
}

/** The usage error for the first refused field a flag set, if any. */
function flagIssue(
  issues: readonly ValidationIssue[],
  flags: FlagMap,
  values: OptionValues,
): CliError | null {
  for (const issue of issues) {
    const flag = flagFor(issue.path, flags, values);
    if (!flag) continue;
    if (issue.allowed !== undefined) return flagError(flag, issue.allowed, values[flag]);
    const got = values[flag];
    return usageError(`--${flag}: ${issue.message}${typeof got === 'string' ? `, got "${got}"` : ''}`);
  }
  return null;
}

/**
 * Runs `work`; a VALIDATION error from the API about a field a flag set becomes that flag's usage error
 * ("--epochs must be at least 1, got "0"") instead of "invalid runs.start payload at config.train.epochs".
 */
export async function withFlags<T>(flags: FlagMap, values: OptionValues, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'VALIDATION') throw err;
    const issues = (err.details as { issues?: ValidationIssue[] } | undefined)?.issues ?? [];
    throw flagIssue(issues, flags, values) ?? err;
  }
}

/**
 * Checks what flags built against the API's own schema before any work starts (e.g. before a dataset is
 * imported for a training that would be refused); `at` is where the value sits in the payload.
 */
export function checkFlags(
  schema: z.ZodType,
  value: unknown,
  at: string,
  flags: FlagMap,
  values: OptionValues,
): void {
  const parsed = schema.safeParse(value);
  if (parsed.success) return;
  const issues = parsed.error.issues.map((issue) => {
    const v = toValidationIssue(issue);
    return { ...v, path: v.path ? `${at}.${v.path}` : at };
  });
  const error = flagIssue(issues, flags, values);
  if (error) throw error;
}
