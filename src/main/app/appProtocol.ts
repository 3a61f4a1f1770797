// The built renderer is loaded from app://prunelab/… rather than file://, so the page has a real origin
// to check IPC senders against, gets its CSP as a header, and cannot read arbitrary local files.
import { readFile, stat } from 'node:fs/promises';
import { contentTypeOf, resolveStaticPath } from '../server/staticFiles';
import type { ProtocolLike } from './electronTypes';

export const APP_SCHEME = 'app';
export const APP_HOST = 'prunelab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** Must run before the app is ready. */
export function registerAppScheme(protocol: ProtocolLike): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

async function fileIfPresent(path: string | null): Promise<string | null> {
  if (!path) return null;
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? path : null;
}

/** Answers one app:// request from rendererDir; client-side routes get index.html. */
export async function answerAppRequest(
  request: Request,
  rendererDir: string,
  csp: string,
): Promise<Response> {
  const url = new URL(request.url);
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || request.method !== 'GET') {
    return new Response('not found', { status: 404 });
  }
  const requested = resolveStaticPath(rendererDir, url.pathname);
  if (!requested) return new Response('not found', { status: 404 });
  let file = await fileIfPresent(requested);
  if (!file && !/\.[A-Za-z0-9]+$/.test(url.pathname))
    file = await fileIfPresent(resolveStaticPath(rendererDir, '/'));
  if (!file) return new Response('not found', { status: 404 });
  const body = await readFile(file);
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': contentTypeOf(file),
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
    },
  });
}

export function handleAppProtocol(protocol: ProtocolLike, rendererDir: string, csp: string): void {
  protocol.handle(APP_SCHEME, (request) => answerAppRequest(request, rendererDir, csp));
}
