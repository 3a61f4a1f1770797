// The `prunelab` entry (bin/prunelab.js runs this through tsx): runs one command, then exits with its code.
// Ctrl-C aborts the command's signal (it cancels its job); a second Ctrl-C exits at once. Under npm or
// npx, the shell npm put in between may swallow the signal npm forwards: losing that parent counts as
// Ctrl-C too (parentWatch.ts).
import { startedByNpm, watchParent } from './parentWatch';
import { runProgram } from './program';
import { commands } from './registry';

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
if (startedByNpm(process.env)) watchParent({ onGone: () => controller.abort() });

const code = await runProgram(process.argv.slice(2), commands, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stderr.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
// Let stdout drain (the JSON line may be piped) before leaving; workers are already gone.
process.stdout.write('', () => process.exit(code));
