// A `--queue` URL turned into the connection BullMQ opens: redis://[user:password@]host[:port][/db], or
// rediss:// for TLS. Anything else is refused with a sentence that says what is accepted. The password
// never appears in what is shown to the user (`display`).
import type { ConnectionOptions as TlsOptions } from 'node:tls';

export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: TlsOptions;
  /** BullMQ's workers block on Redis; ioredis must not give up on a command while they wait. */
  maxRetriesPerRequest: null;
}

export interface ParsedQueueUrl {
  connection: RedisConnection;
  /** The URL with its password masked, for logs and the UI. */
  display: string;
}

export class QueueUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueUrlError';
  }
}

export function parseQueueUrl(raw: string): ParsedQueueUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new QueueUrlError(`--queue must be a URL like redis://:password@host:6379/0, got "${redact(raw)}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueUrlError(
      `--queue must start with redis:// (or rediss:// for TLS), got "${url.protocol}//…"`,
    );
  }
  if (!url.hostname) throw new QueueUrlError('--queue needs a host, e.g. redis://127.0.0.1:6379');
  const port = url.port === '' ? 6379 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new QueueUrlError(`--queue has an invalid port "${url.port}"`);
  }
  const dbPart = url.pathname.replace(/^\//, '');
  const db = dbPart === '' ? 0 : Number(dbPart);
  if (!/^\d*$/.test(dbPart) || !Number.isInteger(db) || db > 15) {
    throw new QueueUrlError(`--queue database must be a number from 0 to 15, got "/${dbPart}"`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const connection: RedisConnection = { host, port, db, maxRetriesPerRequest: null };
  if (url.username) connection.username = decodeURIComponent(url.username);
  if (url.password) connection.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') connection.tls = { servername: host };
  return { connection, display: redact(raw) };
}

/** The URL with any password replaced by ***. */
export function redact(raw: string): string {
  return raw.replace(/^(\w+:\/\/)([^@/]*)@/, (_m, scheme: string, auth: string) => {
    const user = auth.includes(':') ? auth.slice(0, auth.indexOf(':')) : auth;
    return `${scheme}${user}:***@`;
  });
}
