// What a CLI command is: a name, its options (node:util parseArgs form), and a run function that returns
// the JSON summary the framework prints as the last stdout line under --json.
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CliIo {
  /** A line for the human reader on stdout (suppressed under --json, where stdout is for the JSON). */
  out(line: string): void;
  /** Progress and diagnostics: stderr, so stdout stays parseable. */
  err(line: string): void;
  /** A progress line that may overwrite itself on a terminal. */
  progress(line: string): void;
  readonly json: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborted on Ctrl-C: commands cancel their job and return. */
  readonly signal: AbortSignal;
}

export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  /** Resolved from --data-dir / PRUNELAB_HOME / the OS default. */
  dataDir: string;
  /** Whether the user chose the data dir (flag or PRUNELAB_HOME) rather than getting the OS default. */
  dataDirChosen: boolean;
  io: CliIo;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec;
  allowPositionals?: boolean;
  /** Returns the summary object (printed as JSON under --json). Throw CliError for a clean failure. */
  run(ctx: CommandContext): Promise<Record<string, unknown>>;
}

/**
 * A failure the user should read as one clear line; exitCode defaults to 1. `lines` follow it for the
 * human reader (e.g. the files an import left out and why); `details` go into the --json error object.
 */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string;
  readonly lines: readonly string[];
  readonly details: unknown;

  constructor(
    message: string,
    options: { exitCode?: number; code?: string; lines?: readonly string[]; details?: unknown } = {},
  ) {
    super(message);
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
    this.code = options.code ?? 'CLI';
    this.lines = options.lines ?? [];
    this.details = options.details;
  }
}
