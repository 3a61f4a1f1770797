// How the runner starts a worker process. Plain Node uses child_process.fork (this file); the Electron
// app injects its own WorkerLauncher built on utilityProcess, so nothing here imports electron.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FromWorker, ToWorker } from './protocol';
import { isFromWorker } from './protocol';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** The last lines the worker wrote to stderr, for the failure reason of a crash. */
  stderrTail: string;
}

/** One running worker process, as the runner sees it. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called once when the process has gone, whatever the reason. */
  onExit(listener: (exit: WorkerExit) => void): void;
  /** Forced stop (SIGKILL or the platform's equivalent). */
  kill(): void;
}

export interface WorkerLauncher {
  launch(): WorkerHandle;
}

export interface ForkLauncherOptions {
  /** The worker entry module; defaults to ./worker (the engine task table). Tests pass their own. */
  entry?: string;
  /** Defaults to tsx's loader (`--import <its absolute URL>`) when the entry is TypeScript source. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

const STDERR_TAIL_BYTES = 4096;

export function defaultWorkerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.replace(/launcher\.(ts|js|mjs)$/, (_m, ext: string) => `worker.${ext}`);
}

/**
 * tsx's loader as an absolute URL: `--import tsx` would be resolved from the working directory, so a
 * worker of `npx prunelab` started in any other folder could not start.
 */
function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export function createForkLauncher(options: ForkLauncherOptions = {}): WorkerLauncher {
  const entry = options.entry ?? defaultWorkerEntry();
  const execArgv = options.execArgv ?? (/\.[mc]?ts$/.test(entry) ? ['--import', tsxLoaderUrl()] : []);
  return {
    launch(): WorkerHandle {
      // stdout is piped and dropped: engine libraries print banners, and the CLI's last stdout line
      // must stay its JSON summary. stderr is kept (tail) to explain crashes.
      const child = fork(entry, [], {
        execArgv,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      let stderrTail = '';
      child.stdout?.resume();
      child.stderr?.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
      });
      const exitListeners: ((exit: WorkerExit) => void)[] = [];
      let exited: WorkerExit | null = null;
      // 'close' waits for stdio to drain, so stderrTail is complete when listeners run.
      child.on('close', (code, signal) => {
        exited = { code, signal, stderrTail };
        for (const listener of exitListeners) listener(exited);
      });
      child.on('error', () => {
        // A failed spawn also ends in 'close'; nothing else to do here but not crash the parent.
      });
      return {
        pid: child.pid,
        send(message) {
          if (child.connected) child.send(message);
        },
        onMessage(listener) {
          child.on('message', (message: unknown) => {
            if (isFromWorker(message)) listener(message);
          });
        },
        onExit(listener) {
          if (exited) listener(exited);
          else exitListeners.push(listener);
        },
        kill() {
          if (exited === null) child.kill('SIGKILL');
        },
      };
    },
  };
}
