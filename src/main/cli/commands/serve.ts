// `prunelab serve`: the whole app in a browser on this machine — the services over HTTP + WebSocket,
// bound to 127.0.0.1, behind a token carried in the printed URL. Runs until Ctrl-C (or SIGTERM), then
// stops running jobs (they become resumable) and closes the database.
import { createAppServices, type AppServices } from '../../services';
import { startServe } from '../../server/serveMain';
import { CliError, type CliCommand } from '../command';
import { parsePort, queueUrlOption, warnIfExposed, workerHint } from '../coordinator';

/** Why the server could not listen, in words, with what to do about it. */
function listenError(err: unknown, host: string, port: number | undefined): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === 'EADDRINUSE')
    return new CliError(
      `port ${port ?? '?'} on ${host} is already in use (another PruneLab, or another program); ` +
        'choose another with --port N, or --port 0 for any free port',
      { code: 'PORT_IN_USE' },
    );
  if (code === 'EACCES')
    return new CliError(
      `not allowed to listen on port ${port ?? '?'} (ports below 1024 need privileges); choose another with --port N`,
      { code: 'PORT_DENIED' },
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new CliError(`${host} is not an address of this machine; use --host 127.0.0.1`, {
      exitCode: 2,
      code: 'USAGE',
    });
  return err;
}

/** Opening a browser only makes sense for a person at a desktop session. */
function canOpenBrowser(env: NodeJS.ProcessEnv): boolean {
  if (process.stdout.isTTY !== true) return false;
  return process.platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      resolve();
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    process.once('SIGTERM', stop);
  });
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve the app to a browser on this machine (prints a URL with its access token)',
  usage:
    'prunelab serve [--port N] [--host ADDR] [--queue redis://…] [--data-dir DIR] [--no-open] [--api-only] [--json]',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    queue: { type: 'string' },
    'no-open': { type: 'boolean', default: false },
    'api-only': { type: 'boolean', default: false },
  },
  async run({ values, dataDir, io }) {
    const port = parsePort(values.port as string | undefined);
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    const queueUrl = queueUrlOption(values);
    warnIfExposed(host, io);
    const opened: { services?: AppServices } = {};
    const session = await startServe({
      dataDir,
      host,
      ...(port === undefined ? {} : { port }),
      open: values['no-open'] !== true && !io.json && canOpenBrowser(io.env),
      apiOnly: values['api-only'] === true,
      // Without --queue, the queue saved in the app's settings (if any) is used.
      createServices: async (dir) =>
        (opened.services = await createAppServices({
          dataDir: dir,
          mode: 'serve',
          ...(queueUrl === undefined ? {} : { queueUrl }),
          log: (line) => io.err(line),
        })),
      log: (line) => io.err(line),
    }).catch((err: unknown) => {
      throw listenError(err, host, port);
    });
    const { url } = session.server;
    // The URL is what the user needs: on stdout normally, on stderr under --json (stdout is for JSON).
    if (io.json) io.err(`PruneLab is serving at ${url}`);
    io.out(`PruneLab is serving at ${url}`);
    io.out(`data: ${dataDir}`);
    opened.services?.announceCoordinator(session.server.origin);
    const hint = workerHint(session.services.remote, session.server.origin);
    if (hint) io.err(hint);
    io.out('Press Ctrl-C to stop.');
    await untilStopped(io.signal);
    io.err('stopping: running jobs are interrupted (resumable), the database is closed…');
    await session.close();
    return {
      url,
      host: session.server.host,
      port: session.server.port,
      dataDir,
      ui: session.rendererDir !== null,
    };
  },
};
