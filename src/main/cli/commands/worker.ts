// `prunelab worker --queue redis://… --coordinator URL --token T [--concurrency N]`: a headless process
// that takes train, prune, sensitivity and export jobs from a coordinator's queue and runs them here
// with the same engine. It keeps no history: results go back to the coordinator, which records them.
import { join } from 'node:path';
import { readAppVersion } from '../../services';
import { parseQueueUrl, QueueUrlError } from '../../jobs/queue/redisUrl';
import { CoordinatorAuthError } from '../../jobs/queue/coordinatorClient';
import { runRemoteWorker } from '../../jobs/queue/remoteWorker';
import { RedisUnavailableError } from '../../jobs/queue/queueConnection';
import { holdWorkerLock } from '../../jobs/queue/workerLock';
import { CliError, type CliCommand } from '../command';
import { numberOption } from '../session';

const usage =
  'prunelab worker --queue redis://[:password@]host:6379[/db] --coordinator http://host:7370 --token T ' +
  '[--concurrency N] [--cache-mb MB] [--lock-seconds S] [--data-dir DIR] [--json]';

function usageError(message: string): CliError {
  return new CliError(`${message}\nUsage: ${usage}`, { exitCode: 2, code: 'USAGE' });
}

function coordinatorUrl(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw usageError('--coordinator <URL> is required');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw usageError(`--coordinator must be a URL like http://127.0.0.1:7370, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError('--coordinator must start with http:// or https://');
  if (url.search || url.hash)
    throw usageError('--coordinator takes no ?query or #fragment (give the token with --token)');
  return url.toString().replace(/\/+$/, '');
}

export const workerCommand: CliCommand = {
  name: 'worker',
  summary: "take jobs from a coordinator's Redis queue and run them on this machine (no history kept here)",
  usage,
  options: {
    queue: { type: 'string' },
    coordinator: { type: 'string' },
    token: { type: 'string' },
    concurrency: { type: 'string' },
    'cache-mb': { type: 'string' },
    'lock-seconds': { type: 'string' },
  },
  async run({ values, dataDir, io }) {
    const rawQueue = values.queue;
    if (typeof rawQueue !== 'string' || rawQueue.trim() === '')
      throw usageError('--queue redis://… is required');
    let queue;
    try {
      queue = parseQueueUrl(rawQueue);
    } catch (err) {
      if (err instanceof QueueUrlError) throw usageError(err.message);
      throw err;
    }
    const coordinator = coordinatorUrl(values.coordinator);
    // The token may come from the environment, so it is not visible in the process list.
    const token = (values.token as string | undefined) ?? io.env.PRUNELAB_WORKER_TOKEN;
    if (!token)
      throw usageError('--token (or $PRUNELAB_WORKER_TOKEN) is required: the coordinator prints it');
    const concurrency = numberOption(values, 'concurrency', 'int') ?? 1;
    if (concurrency < 1 || concurrency > 64) throw usageError('--concurrency must be from 1 to 64');
    const cacheMb = numberOption(values, 'cache-mb', 'int') ?? 4096;
    if (cacheMb < 16) throw usageError('--cache-mb must be at least 16');
    const lockSeconds = numberOption(values, 'lock-seconds') ?? 30;
    if (!(lockSeconds >= 1 && lockSeconds <= 3600)) throw usageError('--lock-seconds must be from 1 to 3600');

    const home = join(dataDir, 'worker');
    const lock = holdWorkerLock(home);
    const stop = new AbortController();
    const onStop = () => {
      io.err('worker: stopping…');
      stop.abort(new Error('the worker was stopped'));
    };
    io.signal.addEventListener('abort', onStop, { once: true });
    process.once('SIGTERM', onStop);
    try {
      const summary = await runRemoteWorker({
        connection: queue.connection,
        queueDisplay: queue.display,
        coordinatorUrl: coordinator,
        token,
        concurrency,
        home,
        cacheBytes: cacheMb * 1024 * 1024,
        lockMs: Math.round(lockSeconds * 1000),
        log: (line) => io.err(line),
        signal: stop.signal,
        version: readAppVersion(),
      });
      return { ...summary, coordinator, queue: queue.display, home };
    } catch (err) {
      if (err instanceof CoordinatorAuthError) throw new CliError(err.message, { code: 'FORBIDDEN' });
      if (err instanceof RedisUnavailableError) throw new CliError(err.message, { code: 'UNAVAILABLE' });
      if (stop.signal.aborted) return { jobs: 0, coordinator, queue: queue.display, home, stopped: true };
      throw err;
    } finally {
      process.off('SIGTERM', onStop);
      lock.release();
    }
  },
};
