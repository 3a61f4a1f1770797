// The window's Content-Security-Policy: the same rules as serve mode's page (scripts and connections
// from our own origin only, no eval, no plugins, no framing); in development the vite server's origin
// and its hot-reload socket are added.
import { contentSecurityPolicy } from '../server/staticFiles';

export function appContentSecurityPolicy(devServerUrl: string | null): string {
  if (!devServerUrl) return contentSecurityPolicy('');
  const dev = new URL(devServerUrl);
  return contentSecurityPolicy(`${dev.origin} ws://${dev.host}`).replace(
    "script-src 'self'",
    `script-src 'self' ${dev.origin}`,
  );
}
