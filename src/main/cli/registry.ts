// Every `prunelab` command, in the order `--help` lists them. A new command is one file in commands/
// plus one line here.
import type { CliCommand } from './command';
import { demoCommand } from './commands/demo';
import { exportCommand } from './commands/export';
import { importCommand } from './commands/import';
import { pruneCommand } from './commands/prune';
import { serveCommand } from './commands/serve';
import { trainCommand } from './commands/train';
import { workerCommand } from './commands/worker';

export const commands: CliCommand[] = [
  importCommand,
  trainCommand,
  pruneCommand,
  exportCommand,
  serveCommand,
  workerCommand,
  demoCommand,
];
