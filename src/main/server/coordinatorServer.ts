// The server a queue's coordinator runs for its `prunelab worker`s when nothing else serves HTTP (the
// desktop app, a CLI command with --queue): the API-only server on 127.0.0.1:7370 unless told otherwise.
// Its page token is random and shown nowhere, so only the worker routes are of use; `prunelab serve`
// needs none of this (its own server carries the worker routes).
import { workerCommandLine, type RemoteAccess } from '../jobs/queue/queueRunner';
import { DEFAULT_PORT } from './serveMain';
import { startServer, type RunningServer } from './startServer';
import type { ServedApi } from './types';

export class CoordinatorPortBusyError extends Error {
  constructor(readonly port: number) {
    super(
      `port ${port} is busy (is \`prunelab serve\` running on this data directory? then start the run there, or give --port)`,
    );
    this.name = 'CoordinatorPortBusyError';
  }
}

export async function startCoordinatorServer(
  api: ServedApi & { remote: RemoteAccess },
  options: { dataDir: string; host?: string; port?: number },
): Promise<RunningServer> {
  const port = options.port ?? DEFAULT_PORT;
  try {
    return await startServer({
      api,
      dataDir: options.dataDir,
      host: options.host ?? '127.0.0.1',
      port,
      rendererDir: null,
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EADDRINUSE') throw new CoordinatorPortBusyError(port);
    throw err;
  }
}

interface CoordinatingServices extends ServedApi {
  remote?: RemoteAccess | null;
  announceCoordinator(origin: string): void;
  close(): Promise<void>;
}

/**
 * The desktop app's services, with — when they coordinate a queue — the server its workers talk to.
 * A busy port is said in the log and the queue panel shows no worker line; jobs wait on the queue.
 */
export async function serveWorkersIfQueued(
  services: CoordinatingServices,
  options: { dataDir: string; log: (line: string) => void },
): Promise<ServedApi & { close(): Promise<void> }> {
  const remote = services.remote;
  if (!remote) return services;
  let server: RunningServer | null = null;
  try {
    server = await startCoordinatorServer({ ...services, remote }, { dataDir: options.dataDir });
    services.announceCoordinator(server.origin);
    options.log(`workers: ${workerCommandLine(remote, server.origin)}`);
  } catch (err) {
    options.log(`queue: workers cannot reach this app: ${(err as Error).message}`);
  }
  return {
    dispatch: (name, payload) => services.dispatch(name, payload),
    subscribe: services.subscribe,
    remote,
    async close() {
      await server?.close();
      await services.close();
    },
  };
}
