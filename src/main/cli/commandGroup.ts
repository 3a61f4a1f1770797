// A command made of subcommands — `prunelab runs list|show|…`, `prunelab datasets list|show|…` — each with
// its own options and positional arguments, checked before it runs: an option of another subcommand or a
// missing argument is a usage error that shows the right usage line.
import type { CliCommand, CommandContext, OptionSpec } from './command';
import { usageError } from './flags';

export interface Subcommand {
  name: string;
  summary: string;
  /** the full usage line, e.g. 'prunelab runs show <id> [--json]' */
  usage: string;
  /** Options this subcommand takes (booleans without a default, so "given" can be told from "not"). */
  options?: OptionSpec;
  /** Names of its positional arguments, in order. */
  args: readonly string[];
  /** The last argument takes every remaining word (a name given without quotes). */
  restIsLastArg?: boolean;
  run(ctx: CommandContext & { args: Record<string, string> }): Promise<Record<string, unknown>>;
}

const common = new Set(['json', 'data-dir', 'help']);

export function commandGroup(name: string, summary: string, subcommands: readonly Subcommand[]): CliCommand {
  const usage = subcommands.map((s) => s.usage).join('\n       ');
  const options: OptionSpec = Object.assign({}, ...subcommands.map((s) => s.options ?? {}));
  const names = subcommands.map((s) => s.name).join(', ');
  return {
    name,
    summary,
    usage,
    options,
    allowPositionals: true,
    async run(ctx) {
      const [which, ...words] = ctx.positionals;
      const sub = subcommands.find((s) => s.name === which);
      if (!sub)
        throw usageError(
          which === undefined ? `say what to do: ${names}` : `unknown ${name} command "${which}" (${names})`,
          usage,
        );
      const own = new Set(Object.keys(sub.options ?? {}));
      for (const [flag, value] of Object.entries(ctx.values)) {
        if (value !== undefined && !common.has(flag) && !own.has(flag))
          throw usageError(`--${flag} is not an option of \`prunelab ${name} ${sub.name}\``, sub.usage);
      }
      const wanted = sub.args.length;
      const fits = sub.restIsLastArg ? words.length >= wanted : words.length === wanted;
      if (!fits) {
        const missing = sub.args.slice(words.length).map((a) => `<${a}>`);
        throw usageError(
          missing.length > 0
            ? `missing ${missing.join(' ')}`
            : `too many arguments: ${words.slice(wanted).join(' ')}`,
          sub.usage,
        );
      }
      const args: Record<string, string> = {};
      sub.args.forEach((arg, i) => {
        args[arg] = sub.restIsLastArg && i === wanted - 1 ? words.slice(i).join(' ') : (words[i] ?? '');
      });
      return sub.run({ ...ctx, args });
    },
  };
}
