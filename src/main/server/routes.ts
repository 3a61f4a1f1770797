// The HTTP side of serve mode: every request passes the Host/Origin check, then the token check, then
// goes to the API, the upload routes, or the built renderer (wire.ts lists the routes).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, toErrorData, type ErrorCode } from '../../shared/errors';
import { wireLimits, wirePaths } from '../../shared/wire';
import { checkLocalRequest, tokenCookieName, tokenFromCookie, tokenFromRequest, tokensEqual } from './auth';
import {
  acceptBody,
  answerBeforeBody,
  BodyTooLargeError,
  declaredLength,
  parseJsonBody,
  readBody,
} from './body';
import { securityHeaders, sendError, sendJson } from './respond';
import type { SocketHub } from './socket';
import { contentSecurityPolicy, serveStatic } from './staticFiles';
import type { ServedApi } from './types';
import { limitError, limitStatus } from './uploadLimits';
import type { UploadStore } from './uploads';
import { handleWorkerRequest } from './workerRoutes';
import { remotePaths } from '../jobs/queue/remoteWire';

export interface RouteContext {
  api: ServedApi;
  uploads: UploadStore;
  hub: SocketHub;
  token: string;
  port: () => number;
  hostNames: string[];
  rendererDir: string | null;
  /** A page was requested with the token in its URL. */
  tokenPageOpened?: () => void;
}

const requestPrefix = '/api/request/';

function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBody(req, wireLimits.maxJsonBytes);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    throw limitError('jsonBytes', err.limit, err.message);
  }
  const parsed = parseJsonBody(body);
  if (!parsed.ok) throw new ApiError({ code: 'VALIDATION', message: 'request body is not JSON' });
  return parsed.value;
}

/** An answer given without reading the body (bounded: see answerBeforeBody). */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: ErrorCode, message: string) {
  answerBeforeBody(req, res);
  sendError(res, status, code, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function handleUploads(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const rest = url.pathname.slice(wirePaths.uploads.length).split('/').filter(Boolean);
  const [uploadId, action] = rest;
  const method = req.method ?? 'GET';
  if (rest.length === 0 && method === 'POST') {
    sendJson(res, 200, { ok: true, value: await ctx.uploads.create() });
    return;
  }
  if (uploadId !== undefined && rest.length === 1 && method === 'PUT') {
    const value = await ctx.uploads.receiveFile(uploadId, url.searchParams.get('path'), {
      declaredBytes: declaredLength(req),
      stream: req,
      accept: () => acceptBody(req),
    });
    sendJson(res, 200, { ok: true, value });
    return;
  }
  if (uploadId !== undefined && rest.length === 1 && method === 'DELETE') {
    await ctx.uploads.discard(uploadId);
    sendJson(res, 200, { ok: true, value: { deleted: true } });
    return;
  }
  if (uploadId !== undefined && action === 'import' && rest.length === 2 && method === 'POST') {
    const options = await readJson(req);
    if (!isRecord(options) || 'path' in options) {
      throw new ApiError({ code: 'VALIDATION', message: 'import options must be an object without "path"' });
    }
    const folder = ctx.uploads.folderForImport(uploadId);
    const result = await ctx.api.dispatch('datasets.import', { ...options, path: folder });
    if (result.ok) {
      // The uploaded copy is only needed while the import reads it.
      const { jobId } = result.value as { jobId: string };
      const off = ctx.api.subscribe('job.finished', (event) => {
        if (event.jobId !== jobId) return;
        off();
        void ctx.uploads.discard(uploadId, { importEnded: true }).catch(() => undefined);
      });
    } else {
      ctx.uploads.releaseImport(uploadId);
    }
    sendJson(res, 200, result);
    return;
  }
  refuse(req, res, rest.length <= 2 ? 405 : 404, 'VALIDATION', `no upload route ${method} ${url.pathname}`);
}

const downloadStatus: Partial<Record<string, number>> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  VALIDATION: 400,
  UNSUPPORTED: 404,
};

/** GET /api/exports/<artifactId>/zip: one of PruneLab's own exports, zipped, as an attachment. */
async function handleExportDownload(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const rest = url.pathname.slice(wirePaths.exports.length).split('/').filter(Boolean);
  const method = req.method ?? 'GET';
  if (rest.length !== 2 || rest[1] !== 'zip') {
    sendError(res, 404, 'NOT_FOUND', `no export route ${url.pathname}`);
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    sendError(res, 405, 'VALIDATION', 'export downloads are GET');
    return;
  }
  if (!ctx.api.exportDownload) {
    sendError(res, 404, 'UNSUPPORTED', 'this server does not offer downloads');
    return;
  }
  let artifactId: string;
  try {
    artifactId = decodeURIComponent(rest[0]!);
  } catch {
    sendError(res, 400, 'VALIDATION', 'malformed export id');
    return;
  }
  const result = await ctx.api.exportDownload(artifactId);
  if (!result.ok) {
    sendJson(res, downloadStatus[result.error.code] ?? 500, result);
    return;
  }
  const { fileName, bytes } = result.value;
  res.writeHead(200, {
    ...securityHeaders,
    'content-type': 'application/zip',
    'content-length': String(bytes.byteLength),
    // the name is ASCII letters, digits, '.', '-' and '_' (services/exportDownload.ts): safe to quote
    'content-disposition': `attachment; filename="${fileName}"`,
    'cache-control': 'no-store',
  });
  res.end(method === 'HEAD' ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

async function handleApi(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (url.pathname.startsWith(requestPrefix)) {
    if (req.method !== 'POST') {
      refuse(req, res, 405, 'VALIDATION', 'API requests are POST');
      return;
    }
    const name = url.pathname.slice(requestPrefix.length);
    const payload = await readJson(req);
    sendJson(res, 200, await ctx.api.dispatch(name, payload));
    return;
  }
  if (url.pathname === wirePaths.uploads || url.pathname.startsWith(`${wirePaths.uploads}/`)) {
    await handleUploads(ctx, req, res, url);
    return;
  }
  if (url.pathname.startsWith(`${wirePaths.exports}/`)) {
    await handleExportDownload(ctx, req, res, url);
    return;
  }
  refuse(req, res, 404, 'NOT_FOUND', `no API route ${url.pathname}`);
}

async function handlePage(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    refuse(req, res, 405, 'VALIDATION', 'only GET and HEAD outside /api');
    return;
  }
  const port = ctx.port();
  const queryToken = tokenFromRequest(req, url);
  const viaQuery = tokensEqual(ctx.token, queryToken);
  if (!viaQuery && !tokensEqual(ctx.token, tokenFromCookie(req, port))) {
    res.writeHead(401, { ...securityHeaders, 'content-type': 'text/plain; charset=utf-8' });
    res.end('PruneLab: open the full URL that `prunelab serve` printed (it ends with ?token=…).\n');
    return;
  }
  if (viaQuery) ctx.tokenPageOpened?.();
  if (!ctx.rendererDir) {
    refuse(req, res, 503, 'UNSUPPORTED', 'the UI is not built; only the API is served');
    return;
  }
  const host = req.headers.host ?? `127.0.0.1:${port}`;
  const headers: Record<string, string> = {
    ...securityHeaders,
    'content-security-policy': contentSecurityPolicy(`ws://${host}`),
  };
  // The page's own assets and reloads then need no token in their URLs.
  if (viaQuery)
    headers['set-cookie'] = `${tokenCookieName(port)}=${ctx.token}; HttpOnly; SameSite=Strict; Path=/`;
  if (await serveStatic(res, ctx.rendererDir, url.pathname, headers, method)) return;
  // Client-side routes (no file extension) get the app's page.
  if (
    !/\.[A-Za-z0-9]+$/.test(url.pathname) &&
    (await serveStatic(res, ctx.rendererDir, '/', headers, method))
  )
    return;
  refuse(req, res, 404, 'NOT_FOUND', `no file ${url.pathname}`);
}

export function createRequestHandler(ctx: RouteContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = requestUrl(req);
    if (!url) {
      refuse(req, res, 400, 'VALIDATION', 'malformed URL');
      return;
    }
    // Workers are programs, not pages: they reach this server through a tunnel or a proxy under any
    // host name, and carry their own token (checked there).
    if (url.pathname === remotePaths.root || url.pathname.startsWith(`${remotePaths.root}/`)) {
      void handleWorkerRequest(ctx.api.remote ?? null, req, res, url);
      return;
    }
    const local = checkLocalRequest(req.headers, ctx.hostNames, ctx.port());
    if (!local.ok) {
      refuse(req, res, 403, 'FORBIDDEN', local.reason);
      return;
    }
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    if (isApi && !tokensEqual(ctx.token, tokenFromRequest(req, url))) {
      refuse(req, res, 401, 'FORBIDDEN', 'missing or wrong token');
      return;
    }
    (isApi ? handleApi(ctx, req, res, url) : handlePage(ctx, req, res, url)).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      answerBeforeBody(req, res);
      const data = toErrorData(err);
      const details = data.details as { limit?: unknown } | undefined;
      const status =
        data.code === 'LIMIT' ? limitStatus(details?.limit) : data.code === 'INTERNAL' ? 500 : 200;
      sendJson(res, status, { ok: false, error: data });
    });
  };
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export function createUpgradeHandler(ctx: RouteContext) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const url = requestUrl(req);
    if (!url || url.pathname !== wirePaths.socket) {
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (!checkLocalRequest(req.headers, ctx.hostNames, ctx.port()).ok) {
      refuseUpgrade(socket, 403, 'Forbidden');
      return;
    }
    if (!tokensEqual(ctx.token, tokenFromRequest(req, url))) {
      refuseUpgrade(socket, 401, 'Unauthorized');
      return;
    }
    ctx.hub.wss.handleUpgrade(req, socket, head, (ws) => ctx.hub.wss.emit('connection', ws, req));
  };
}
