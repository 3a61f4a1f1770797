// Who may talk to the server: whoever holds the token printed with the URL, from a local page.
// The Host check defeats DNS rebinding (a foreign site whose name resolves to 127.0.0.1); the Origin
// check stops other local pages and sites from driving the API with the user's browser.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import { tokenHeader, tokenQueryParam } from '../../shared/wire';

export function createToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokensEqual(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookie that lets the page's own assets load once the page was opened with the token. */
export function tokenCookieName(port: number): string {
  return `prunelab_token_${port}`;
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token an API call or socket carries: header, bearer, or ?token= (sockets cannot set headers). */
export function tokenFromRequest(req: IncomingMessage, url: URL): string | null {
  const header = firstHeader(req.headers, tokenHeader);
  if (header) return header;
  const auth = firstHeader(req.headers, 'authorization');
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  return url.searchParams.get(tokenQueryParam);
}

export function tokenFromCookie(req: IncomingMessage, port: number): string | null {
  const cookie = firstHeader(req.headers, 'cookie');
  if (!cookie) return null;
  const name = tokenCookieName(port);
  for (const part of cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];

/** Host names (without port) a request may address: loopback, plus the bound host when it is specific. */
const asHostName = (address: string) =>
  address.includes(':') && !address.startsWith('[') ? `[${address.toLowerCase()}]` : address.toLowerCase();

/**
 * Host names (without port) a request may address: loopback, plus the bound host when it is specific,
 * or — bound to every interface (0.0.0.0 / ::) — this machine's own interface addresses.
 */
export function allowedHostNames(
  boundHost: string,
  interfaceAddresses: () => string[] = () =>
    Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address)),
): string[] {
  const names = new Set(loopbackNames);
  const wildcard = boundHost === '0.0.0.0' || boundHost === '::' || boundHost === '';
  for (const address of wildcard ? interfaceAddresses() : [boundHost]) names.add(asHostName(address));
  return [...names];
}

export type LocalCheck = { ok: true } | { ok: false; reason: string };

/** Host must name this server; Origin, when a browser sends one, must be this server's own. */
export function checkLocalRequest(
  headers: IncomingHttpHeaders,
  hostNames: string[],
  port: number,
): LocalCheck {
  const host = firstHeader(headers, 'host')?.toLowerCase();
  const allowedHosts = hostNames.map((name) => `${name}:${port}`);
  if (!host || !allowedHosts.includes(host))
    return { ok: false, reason: `Host ${JSON.stringify(host ?? '')} is not this server` };
  const origin = firstHeader(headers, 'origin');
  if (origin !== undefined && !allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { ok: false, reason: `Origin ${JSON.stringify(origin)} is not this server` };
  }
  return { ok: true };
}
