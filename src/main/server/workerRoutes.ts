// The coordinator's routes for `prunelab worker`s (/api/worker/…): claim a job, fetch its files by
// sha256, post events, upload checkpoints and outputs, post the outcome. They take the worker token
// only (never the page's token, and the page's token is no good here), refuse anything a browser sends
// (an Origin header), and check every body before the queue runner sees it.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import type { TaskEvent } from '../engine/types';
import { IncomingError } from '../jobs/queue/incoming';
import type { RemoteAccess, RemoteTraffic } from '../jobs/queue/queueRunner';
import {
  claimBody,
  commitBody,
  completeBody,
  decodeMessage,
  encodeMessage,
  eventsBody,
  heartbeatBody,
  jobActions,
  msgpackType,
  RemoteRefusal,
  remoteJobIdPattern,
  remoteLimits,
  remotePaths,
  sha256Pattern,
  type JobAction,
} from '../jobs/queue/remoteWire';
import { tokensEqual } from './auth';
import { acceptBody, answerBeforeBody, BodyTooLargeError, readBody } from './body';
import { securityHeaders, sendError, sendJson } from './respond';

class BadRequest extends Error {}

function bearer(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : null;
}

function sendPacked(res: ServerResponse, value: unknown): void {
  const body = encodeMessage({ ok: true, value });
  res.writeHead(200, {
    ...securityHeaders,
    'content-type': msgpackType,
    'content-length': String(body.length),
    'cache-control': 'no-store',
  });
  res.end(body);
}

async function readMessage<T>(
  req: IncomingMessage,
  schema: z.ZodType<T>,
  traffic: RemoteTraffic,
): Promise<T> {
  const bytes = await readBody(req, remoteLimits.maxMessageBytes);
  traffic.receivedBytes += bytes.length;
  let raw: unknown;
  try {
    const type = req.headers['content-type'] ?? '';
    raw = type.startsWith(msgpackType) ? decodeMessage(bytes) : JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BadRequest('the body is neither JSON nor msgpack');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequest(
      `invalid body${issue ? ` at ${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`,
    );
  }
  return parsed.data;
}

async function handleJob(
  access: RemoteAccess,
  req: IncomingMessage,
  res: ServerResponse,
  jobId: string,
  action: JobAction,
  url: URL,
): Promise<void> {
  const { endpoint, traffic } = access;
  const method = req.method ?? 'GET';
  if (action === 'files') {
    if (method !== 'PUT') throw new BadRequest('files are PUT');
    const { lease, path, sha256 } = Object.fromEntries(url.searchParams);
    if (!lease) throw new BadRequest('lease is missing');
    // The file streams straight to its staging place (capped there), so a client that asked first
    // (Expect: 100-continue) is told to go on here; readBody does the same for messages.
    acceptBody(req);
    const value = await endpoint.receiveFile(jobId, lease, path, sha256, req);
    traffic.receivedBytes += value.bytes;
    sendJson(res, 200, { ok: true, value });
    return;
  }
  if (method !== 'POST') throw new BadRequest(`${action} is POST`);
  switch (action) {
    case 'claim': {
      const body = await readMessage(req, claimBody, traffic);
      sendPacked(res, await endpoint.claim(jobId, body.worker));
      return;
    }
    case 'events': {
      const body = await readMessage(req, eventsBody, traffic);
      const started = performance.now();
      const value = endpoint.events(jobId, body.lease, body.seq, body.events as TaskEvent[]);
      traffic.eventMs += performance.now() - started;
      traffic.events += body.events.length;
      traffic.eventRequests += 1;
      sendJson(res, 200, { ok: true, value });
      return;
    }
    case 'commit': {
      const body = await readMessage(req, commitBody, traffic);
      await endpoint.commit(jobId, body.lease, body.path, body.keepSiblings);
      sendJson(res, 200, { ok: true, value: { committed: true } });
      return;
    }
    case 'complete': {
      const body = await readMessage(req, completeBody, traffic);
      sendJson(res, 200, { ok: true, value: endpoint.complete(jobId, body.lease, body.outcome) });
      return;
    }
  }
}

async function route(
  access: RemoteAccess,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = req.method ?? 'GET';
  const path = url.pathname;
  if (path === remotePaths.hello && method === 'GET') {
    sendJson(res, 200, { ok: true, value: { ...access.endpoint.hello(), version: access.version } });
    return;
  }
  if (path === remotePaths.heartbeat && method === 'POST') {
    const body = await readMessage(req, heartbeatBody, access.traffic);
    sendJson(res, 200, { ok: true, value: access.endpoint.heartbeat(body.worker, body.running) });
    return;
  }
  if (path.startsWith(`${remotePaths.blobs}/`) && method === 'GET') {
    const sha256 = path.slice(remotePaths.blobs.length + 1);
    if (!sha256Pattern.test(sha256)) throw new BadRequest('not a sha256');
    const file = await access.endpoint.blob(sha256);
    if (!file) {
      sendError(res, 404, 'NOT_FOUND', `no file ${sha256} was offered to a worker (or it changed since)`);
      return;
    }
    res.writeHead(200, {
      ...securityHeaders,
      'content-type': 'application/octet-stream',
      'content-length': String(file.size),
      'cache-control': 'no-store',
    });
    await pipeline(createReadStream(file.absolute, { start: 0, end: Math.max(0, file.size - 1) }), res);
    access.traffic.servedBytes += file.size;
    return;
  }
  if (path.startsWith(`${remotePaths.jobs}/`)) {
    const [jobId, action, ...rest] = path.slice(remotePaths.jobs.length + 1).split('/');
    if (
      jobId &&
      remoteJobIdPattern.test(jobId) &&
      rest.length === 0 &&
      (jobActions as readonly string[]).includes(action ?? '')
    ) {
      await handleJob(access, req, res, jobId, action as JobAction, url);
      return;
    }
  }
  sendError(res, 404, 'NOT_FOUND', `no worker route ${method} ${path}`);
}

/** Handles /api/worker/… when this server coordinates a queue; answers 404 when it does not. */
export async function handleWorkerRequest(
  access: RemoteAccess | null,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (!access) {
    answerBeforeBody(req, res);
    sendError(res, 404, 'NOT_FOUND', 'this PruneLab does not coordinate a queue (start it with --queue)');
    return;
  }
  if (req.headers.origin !== undefined) {
    answerBeforeBody(req, res);
    sendError(res, 403, 'FORBIDDEN', 'worker routes do not answer pages');
    return;
  }
  if (!tokensEqual(access.workerToken, bearer(req))) {
    answerBeforeBody(req, res);
    sendError(res, 401, 'FORBIDDEN', 'missing or wrong worker token');
    return;
  }
  try {
    await route(access, req, res, url);
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // What is left of the body is never drained without bound (body.ts).
    answerBeforeBody(req, res);
    if (err instanceof RemoteRefusal) {
      // 409 means exactly this to a worker: another worker holds the job now.
      if (err.kind === 'superseded') sendError(res, 409, 'CONFLICT', err.message);
      else if (err.kind === 'gone') sendError(res, 410, 'NOT_FOUND', err.message);
      else sendError(res, 400, 'VALIDATION', err.message);
      return;
    }
    if (err instanceof BodyTooLargeError) {
      sendError(res, 413, 'VALIDATION', err.message);
      return;
    }
    if (err instanceof IncomingError) {
      sendError(res, err.status, 'VALIDATION', err.message);
      return;
    }
    if (err instanceof BadRequest) {
      sendError(res, 400, 'VALIDATION', err.message);
      return;
    }
    console.error('worker route failed:', err);
    sendError(res, 500, 'INTERNAL', (err as Error).message);
  }
}
