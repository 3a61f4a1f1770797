// Opens a coordinator's BullMQ queue: first one plain PING with a time limit, so an unreachable Redis or a
// wrong password is one clear sentence at start-up (and leaves no socket retrying behind), then the
// Queue (to add and count jobs) and QueueEvents (to hear of stalled and failed ones).
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { RedisConnection } from './redisUrl';

export interface QueueConnection {
  queue: Queue;
  events: QueueEvents;
  /** Closes both, dropping the sockets if Redis is slow to answer. */
  close(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor(display: string, reason: string) {
    super(
      `cannot reach Redis at ${display} (${reason}); is redis-server running, and are the host, port and password right?`,
    );
    this.name = 'RedisUnavailableError';
  }
}

export async function probeRedis(
  connection: RedisConnection,
  display: string,
  timeoutMs: number,
): Promise<void> {
  const client = new Redis({
    ...connection,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  // ioredis reports why on 'error' and then rejects connect() with a vaguer "Connection is closed."
  let cause: Error | null = null;
  client.on('error', (err: Error) => (cause ??= err));
  const limit = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs).unref(),
  );
  try {
    await Promise.race([client.connect().then(() => client.ping()), limit]);
  } catch (err) {
    throw new RedisUnavailableError(display, (cause ?? (err as Error)).message);
  } finally {
    client.disconnect();
  }
}

export async function openQueue(options: {
  connection: RedisConnection;
  queueName: string;
  display: string;
  timeoutMs: number;
  onError: (err: Error) => void;
}): Promise<QueueConnection> {
  await probeRedis(options.connection, options.display, options.timeoutMs);
  const queue = new Queue(options.queueName, { connection: { ...options.connection } });
  const events = new QueueEvents(options.queueName, { connection: { ...options.connection } });
  queue.on('error', options.onError);
  events.on('error', options.onError);
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= Promise.race([
      Promise.allSettled([events.close(), queue.close()]).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000).unref()),
    ]).then((closed) => {
      if (closed) return;
      void events.disconnect().catch(() => undefined);
      void queue.disconnect().catch(() => undefined);
    });
    return closing;
  };
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  } catch (err) {
    await close();
    throw new RedisUnavailableError(options.display, (err as Error).message);
  }
  return { queue, events, close };
}
