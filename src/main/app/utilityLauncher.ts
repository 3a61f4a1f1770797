// The job runner's WorkerLauncher inside Electron: engine work runs in a utilityProcess (a Node
// process Electron supervises), so the window never shares an event loop with training.
import type { WorkerExit, WorkerHandle, WorkerLauncher } from '../jobs/launcher';
import { isFromWorker } from '../jobs/protocol';
import type { UtilityProcessStaticLike } from './electronTypes';

const STDERR_TAIL_BYTES = 4096;

export function createUtilityLauncher(
  utilityProcess: UtilityProcessStaticLike,
  entry: string,
): WorkerLauncher {
  return {
    launch(): WorkerHandle {
      const child = utilityProcess.fork(entry, [], { serviceName: 'PruneLab job', stdio: 'pipe' });
      let stderrTail = '';
      // Engine libraries print banners on stdout; nobody reads them.
      child.stdout?.resume();
      child.stderr?.on('data', (chunk: Buffer | string) => {
        stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_BYTES);
      });
      let exited: WorkerExit | null = null;
      const exitListeners: ((exit: WorkerExit) => void)[] = [];
      child.on('exit', (code) => {
        exited = { code, signal: null, stderrTail };
        for (const listener of exitListeners) listener(exited);
      });
      return {
        get pid() {
          return child.pid;
        },
        send(message) {
          if (exited === null) child.postMessage(message);
        },
        onMessage(listener) {
          child.on('message', (message) => {
            if (isFromWorker(message)) listener(message);
          });
        },
        onExit(listener) {
          if (exited) listener(exited);
          else exitListeners.push(listener);
        },
        kill() {
          if (exited === null) child.kill();
        },
      };
    },
  };
}
