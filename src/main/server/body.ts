// Request bodies with hard limits: a body is accepted (100-continue sent, bytes read) only once every
// cap allows it; an oversized one is answered 413 at once, and what the client still sends after the
// answer is discarded only up to a small bound before the connection is cut.
import type { IncomingMessage, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** After an early answer, at most this much of the unread body is read and discarded… */
const LINGER_BYTES = 8 * 1024 * 1024;
/** …for at most this long; then the connection is cut. */
const LINGER_MS = 5000;

/** Requests that sent `Expect: 100-continue` and have not been told to go on yet. */
const awaitingContinue = new WeakMap<IncomingMessage, ServerResponse>();

/** Called from the server's 'checkContinue' event: the 100 is sent only when the body is accepted. */
export function expectContinue(req: IncomingMessage, res: ServerResponse): void {
  awaitingContinue.set(req, res);
}

/** Lets the client send its body (sends the 100-continue it asked for, if any). */
export function acceptBody(req: IncomingMessage): void {
  const res = awaitingContinue.get(req);
  if (!res) return;
  awaitingContinue.delete(req);
  res.writeContinue();
}

/** The body length the client declared, or null (chunked). */
export function declaredLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * Resolves with the body, or rejects with BodyTooLargeError the moment it is known to be too large
 * (declared, or counted) — without reading the rest, so the answer goes out at once.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = declaredLength(req);
    if (declared !== null && declared > limit) {
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size <= limit) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
    acceptBody(req);
  });
}

/** Parses JSON from a body; an empty body is `{}` (requests whose payload is empty). */
export function parseJsonBody(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/**
 * Prepares an answer given before the body was read: a client still waiting for its 100-continue never
 * sends the body (Node closes such a connection after the answer); one already sending may finish a
 * small remainder (so it reads the answer rather than a reset), but past LINGER_BYTES or LINGER_MS the
 * connection is cut instead of drained.
 */
export function answerBeforeBody(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete || req.destroyed) return;
  if (awaitingContinue.has(req)) {
    awaitingContinue.delete(req);
    res.setHeader('connection', 'close');
    return;
  }
  let discarded = 0;
  const cut = () => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) cut();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}
