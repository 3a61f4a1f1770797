// `--queue redis://…` on the commands that run jobs: the services put train, prune and export jobs on the
// queue, and this process serves the coordinator routes `prunelab worker`s fetch data from and report
// to (on --host/--port, 127.0.0.1:7370 by default). Without --queue nothing changes.
import { createAppServices, type AppServices } from '../services';
import { workerCommandLine, type RemoteAccess } from '../jobs/queue/queueRunner';
import { parseQueueUrl, QueueUrlError } from '../jobs/queue/redisUrl';
import { CoordinatorPortBusyError, startCoordinatorServer } from '../server/coordinatorServer';
import { DEFAULT_PORT } from '../server/serveMain';
import type { RunningServer } from '../server/startServer';
import { CliError, type CliIo, type OptionSpec, type OptionValues } from './command';
import { flagError } from './flags';

export const queueOptionSpec: OptionSpec = {
  queue: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
};

export const queueUsage = '[--queue redis://… [--host ADDR] [--port N]]';

export function parsePort(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port > 65_535) {
    throw flagError('port', 'a number from 0 to 65535 (0 = any free port)', raw);
  }
  return port;
}

/** The --queue value checked up front, so a typo is a usage error before anything starts. */
export function queueUrlOption(values: OptionValues): string | undefined {
  const raw = values.queue;
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string')
    throw new CliError('--queue takes a redis:// URL', { exitCode: 2, code: 'USAGE' });
  try {
    parseQueueUrl(raw);
  } catch (err) {
    if (err instanceof QueueUrlError) throw new CliError(err.message, { exitCode: 2, code: 'USAGE' });
    throw err;
  }
  return raw;
}

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);

export function warnIfExposed(host: string, io: CliIo): void {
  if (!loopback.has(host)) {
    io.err(`warning: listening on ${host} — anyone who can reach it and holds a token can use PruneLab.`);
  }
}

/** How to start a worker for this coordinator: the line the user copies to the other machine. */
export function workerHint(remote: RemoteAccess | null | undefined, origin: string): string | null {
  return remote ? `workers: ${workerCommandLine(remote, origin)}` : null;
}

export interface CommandServices {
  services: AppServices;
  close(): Promise<void>;
}

/** The services a job command uses; with --queue also the coordinator server its workers talk to. */
export async function openCommandServices(
  values: OptionValues,
  dataDir: string,
  io: CliIo,
): Promise<CommandServices> {
  const queueUrl = queueUrlOption(values);
  if (queueUrl === undefined) {
    const services = await createAppServices({ dataDir, mode: 'cli' });
    return { services, close: () => services.close() };
  }
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const port = parsePort(values.port as string | undefined) ?? DEFAULT_PORT;
  warnIfExposed(host, io);
  const services = await createAppServices({ dataDir, mode: 'cli', queueUrl, log: (line) => io.err(line) });
  let server: RunningServer;
  try {
    server = await startCoordinatorServer({ ...services, remote: services.remote! }, { dataDir, host, port });
  } catch (err) {
    await services.close();
    if (err instanceof CoordinatorPortBusyError) throw new CliError(err.message);
    throw err;
  }
  services.announceCoordinator(server.origin);
  const hint = workerHint(services.remote, server.origin);
  if (hint) io.err(hint);
  return {
    services,
    close: async () => {
      await server.close();
      await services.close();
    },
  };
}
