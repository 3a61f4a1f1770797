// Every `prunelab` command, in the order `--help` lists them. A new command is one file in commands/
// plus one line here.
import type { CliCommand } from './command';
import { datasetsCommand } from './commands/datasets';
import { demoCommand } from './commands/demo';
import { exportCommand } from './commands/export';
import { importCommand } from './commands/import';
import { pruneCommand } from './commands/prune';
import { runsCommand } from './commands/runs';
import { serveCommand } from './commands/serve';
import { trainCommand } from './commands/train';
import { workerCommand } from './commands/worker';

export const commands: CliCommand[] = [
  importCommand,
  trainCommand,
  pruneCommand,
  exportCommand,
  runsCommand,
  datasetsCommand,
  serveCommand,
  workerCommand,
  demoCommand,
];
