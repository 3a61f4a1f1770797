// Real processes for the queue tests: `prunelab worker`s and `prunelab serve` through the real binary,
// their stderr kept so a test can wait for what they say, and a coordinator inside the test process
// (the services with a queue, plus the server their workers talk to).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createAppServices, type AppServices } from '../../../src/main/services';
import { startServer, type RunningServer } from '../../../src/main/server/startServer';
import { repoRoot } from '../../cli/helpers';

export interface Spawned {
  child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves with the first match of `pattern` in the output from `from` on. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after a grace period; waits for the exit. */
  stop(): Promise<void>;
}

export function spawnCli(
  args: string[],
  options: { detached?: boolean; env?: NodeJS.ProcessEnv } = {},
): Spawned {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'prunelab.js'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let text = '';
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid ?? 0,
    output: () => text,
    waitFor(pattern, timeoutMs = 300_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.slice(from).match(pattern);
          if (!match) return false;
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          resolve(match);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`timed out waiting for ${pattern}; output:\n${text.slice(-3000)}`));
        }, timeoutMs);
        waiters.push(check);
        if (check()) return;
        // A process that exits without saying it will never say it: fail now, with what it said.
        void exited.then((code) => {
          if (!waiters.includes(check) || check()) return;
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          reject(new Error(`exited (${code}) before ${pattern}; output:\n${text.slice(-3000)}`));
        });
      });
    },
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function spawnWorker(
  dataDir: string,
  coordinator: string,
  token: string,
  queueUrl: string,
  extra: string[] = [],
  options: { detached?: boolean } = {},
): Spawned {
  return spawnCli(
    [
      'worker',
      '--queue',
      queueUrl,
      '--coordinator',
      coordinator,
      '--token',
      token,
      '--data-dir',
      dataDir,
      ...extra,
    ],
    options,
  );
}

export interface TestCoordinator {
  services: AppServices;
  server: RunningServer;
  close(): Promise<void>;
}

export async function startCoordinator(
  dataDir: string,
  queueUrl: string,
  port = 0,
): Promise<TestCoordinator> {
  const services = await createAppServices({
    dataDir,
    mode: 'serve',
    queueUrl,
    flushIntervalMs: 50,
    log: () => undefined,
  });
  const server = await startServer({ api: services, dataDir, rendererDir: null, port });
  return {
    services,
    server,
    async close() {
      await server.close();
      await services.close();
    },
  };
}

export async function call<T>(services: AppServices, name: string, payload: unknown): Promise<T> {
  const result = await services.dispatch(name, payload);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}
