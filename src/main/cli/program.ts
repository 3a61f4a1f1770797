// The CLI framework: finds the command, parses its options with node:util parseArgs (plus the shared
// --json / --data-dir / --help), runs it, and keeps the contract: under --json the last stdout line is
// one JSON object — the command's summary, or {"error":{…}} on failure — and the exit code says which.
import { parseArgs } from 'node:util';
import { ApiError } from '../../shared/errors';
import { resolveDataDir } from '../services/dataDir';
import { CliError, type CliCommand, type CliIo, type OptionSpec } from './command';

export interface ProgramIo {
  stdout(text: string): void;
  stderr(text: string): void;
  isTty: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
}

const commonOptions: OptionSpec = {
  json: { type: 'boolean', default: false },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
};

export function usage(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: prunelab <command> [options] [--json] [--data-dir <dir>]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Data directory: --data-dir, else $PRUNELAB_HOME, else the OS app-data folder (PruneLab).',
    'Run `prunelab <command> --help` for a command’s options.',
  ].join('\n');
}

export async function runProgram(
  argv: string[],
  commands: readonly CliCommand[],
  io: ProgramIo,
): Promise<number> {
  const [name, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage(commands) + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    return failure(
      io,
      wantsJson,
      new CliError(`unknown command "${name}"\n\n${usage(commands)}`, { exitCode: 2, code: 'USAGE' }),
    );
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...commonOptions, ...command.options },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (err) {
    const message = `${(err as Error).message}\nUsage: ${command.usage}`;
    return failure(io, wantsJson, new CliError(message, { exitCode: 2, code: 'USAGE' }));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    io.stdout(`Usage: ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  const json = values.json === true;
  const dataDir = resolveDataDir({
    flag: values['data-dir'] as string | undefined,
    env: io.env,
    cwd: io.cwd,
  });
  let lastProgressLength = 0;
  const cliIo: CliIo = {
    json,
    env: io.env,
    cwd: io.cwd,
    signal: io.signal,
    out: (line) => {
      if (!json) io.stdout(line + '\n');
    },
    // On a terminal a permanent line takes the place of the progress line being redrawn.
    err: (line) => {
      if (io.isTty && lastProgressLength > 0) {
        io.stderr(`\r${line.padEnd(lastProgressLength)}\n`);
        lastProgressLength = 0;
      } else io.stderr(line + '\n');
    },
    progress: (line) => {
      if (io.isTty) {
        io.stderr(`\r${line.padEnd(lastProgressLength)}`);
        lastProgressLength = line.length;
      } else {
        io.stderr(line + '\n');
      }
    },
  };
  try {
    const dataDirChosen = Boolean(values['data-dir'] || io.env.PRUNELAB_HOME?.trim());
    const summary = await command.run({
      values,
      positionals: parsed.positionals,
      dataDir,
      dataDirChosen,
      io: cliIo,
    });
    if (io.isTty && lastProgressLength > 0) io.stderr('\n');
    if (json) io.stdout(JSON.stringify(summary) + '\n');
    return 0;
  } catch (err) {
    if (io.isTty && lastProgressLength > 0) io.stderr('\n');
    return failure(io, json, err);
  }
}

function failure(io: ProgramIo, json: boolean, err: unknown): number {
  let code = 'INTERNAL';
  let exitCode = 1;
  let message = String(err);
  let lines: readonly string[] = [];
  let details: unknown;
  if (err instanceof CliError) {
    code = err.code;
    exitCode = err.exitCode;
    message = err.message;
    lines = err.lines;
    details = err.details;
  } else if (err instanceof ApiError) {
    code = err.code;
    message = err.message;
  } else if (err instanceof Error) {
    message = err.message;
  }
  io.stderr(`prunelab: ${message}\n`);
  for (const line of lines) io.stderr(`${line}\n`);
  if (json) {
    const error = { code, message: message.split('\n')[0], ...(details === undefined ? {} : { details }) };
    io.stdout(JSON.stringify({ error }) + '\n');
  }
  return exitCode;
}
