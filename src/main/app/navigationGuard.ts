// Every web page in the app stays on our origin: navigation elsewhere and new windows are refused
// (https links open in the user's browser), <webview> is refused, and a folder dropped on the window —
// which Chromium turns into a file:// navigation — is cancelled and handed to main to validate.
import { fileURLToPath } from 'node:url';
import type { SessionLike, WebContentsLike } from './electronTypes';
import { originOf } from './ipcBridge';

export interface NavigationPolicy {
  trustedOrigins: readonly string[];
  openExternal(url: string): void;
  onPathDropped(path: string): void;
}

function isHttps(url: string): boolean {
  return originOf(url)?.startsWith('https://') ?? false;
}

export function guardWebContents(contents: WebContentsLike, policy: NavigationPolicy): void {
  const isOurs = (url: string) => {
    const origin = originOf(url);
    return origin !== null && policy.trustedOrigins.includes(origin);
  };
  contents.on('will-navigate', (event, url) => {
    if (isOurs(url)) return;
    event.preventDefault();
    if (url.startsWith('file://')) {
      try {
        policy.onPathDropped(fileURLToPath(url));
      } catch {
        // Not a local path (e.g. file://host/share): nothing to import.
      }
    } else if (isHttps(url)) {
      policy.openExternal(url);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOurs(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isHttps(url)) policy.openExternal(url);
    return { action: 'deny' };
  });
}

/** The app needs no camera, microphone, geolocation, notifications-from-page … : refuse them all. */
export function denyAllPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
