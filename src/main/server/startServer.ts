// Serve mode's server: one HTTP server on 127.0.0.1 (by default) carrying the API, the socket, uploads
// and the built renderer, protected by a random token that is part of the printed URL.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tokenQueryParam } from '../../shared/wire';
import { uploadSessionDir } from '../services/uploadSession';
import { allowedHostNames, createToken } from './auth';
import { expectContinue } from './body';
import { createRequestHandler, createUpgradeHandler } from './routes';
import { createSocketHub } from './socket';
import type { ServedApi } from './types';
import { createUploadStore, type UploadLimits } from './uploads';

export interface StartServerOptions {
  api: ServedApi;
  dataDir: string;
  /** Interface to bind; 127.0.0.1 unless the user asks otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Folder with the built renderer's index.html; null serves the API only. */
  rendererDir: string | null;
  /** Injected by tests; a fresh random token otherwise. */
  token?: string;
  uploadLimits?: Partial<UploadLimits>;
  /** Unsent bytes one socket may have queued before it is dropped as not draining. */
  socketMaxBufferedBytes?: number;
  /** Free bytes on the disk holding a path (tests inject it; statfs by default). */
  freeDiskBytes?: (path: string) => Promise<number>;
}

export interface RunningServer {
  /** The URL to open, token included. */
  url: string;
  origin: string;
  host: string;
  port: number;
  token: string;
  server: Server;
  /** Called whenever a page is opened with the token in its URL (how a launch file knows it was used). */
  onTokenPage(listener: () => void): () => void;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** how long an idle keep-alive connection stays open; longer than any synchronous stretch of the engine */
const KEEP_ALIVE_MS = 65_000;

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? createToken();
  const uploads = createUploadStore(uploadSessionDir(options.dataDir), {
    ...(options.uploadLimits ? { limits: options.uploadLimits } : {}),
    ...(options.freeDiskBytes ? { freeDiskBytes: options.freeDiskBytes } : {}),
  });
  const hub = createSocketHub(
    options.api,
    options.socketMaxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.socketMaxBufferedBytes },
  );
  let boundPort = 0;
  const tokenPageListeners = new Set<() => void>();
  const ctx = {
    api: options.api,
    uploads,
    hub,
    token,
    port: () => boundPort,
    hostNames: allowedHostNames(host),
    rendererDir: options.rendererDir,
    tokenPageOpened: () => {
      for (const listener of [...tokenPageListeners]) listener();
    },
  };
  const handle = createRequestHandler(ctx);
  const server = createServer(handle);
  // A client that asks before sending its body gets the 100 only once every limit allows the body
  // (body.ts); a refusal is answered without it, so an oversized body is never sent at all.
  server.on('checkContinue', (req, res) => {
    expectContinue(req, res);
    handle(req, res);
  });
  server.on('upgrade', createUpgradeHandler(ctx));
  // Slow-loris guard: a client must send its headers promptly.
  server.headersTimeout = 20_000;
  server.requestTimeout = 0; // uploads of large files may take long; bodies are size-limited instead
  // The engine shares this event loop, and after a long synchronous stretch Node runs expired timers
  // before it reads sockets: a short idle timeout (Node's default is 5 s) then resets a pooled
  // connection that already holds the page's next request (ECONNRESET in the client). Idle connections
  // stay open a minute; close() still ends them at once.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  try {
    await listen(server, options.port ?? 0, host);
  } catch (err) {
    await hub.close();
    throw err;
  }
  boundPort = (server.address() as AddressInfo).port;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const origin = `http://${shownHost}:${boundPort}`;
  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/?${tokenQueryParam}=${token}`,
    origin,
    host,
    port: boundPort,
    token,
    server,
    onTokenPage(listener) {
      tokenPageListeners.add(listener);
      return () => tokenPageListeners.delete(listener);
    },
    close() {
      closing ??= (async () => {
        await hub.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await uploads.close();
      })();
      return closing;
    },
  };
}
