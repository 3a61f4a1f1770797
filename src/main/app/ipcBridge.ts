// The IPC transport: one ipcMain.handle per request of the contract, each checking its sender before
// passing the raw payload to the services' `dispatch` (which validates it); events go to the window.
import { eventNames, requestNames, type EventName, type Events } from '../../shared/api';
import { toErrorData, type Result } from '../../shared/errors';
import { ipcEventChannel, ipcRequestChannel } from '../../shared/ipc';
import type { ServedApi } from '../server/types';
import type { IpcMainInvokeEventLike, IpcMainLike, WebContentsLike } from './electronTypes';

/** scheme://host of a URL; `URL.origin` is "null" for custom schemes such as app://. */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

export interface SenderPolicy {
  /** The webContents id of our window, or null while there is none. */
  trustedWebContentsId(): number | null;
  /** Origins our page is loaded from (app://prunelab, or the dev server). */
  trustedOrigins: readonly string[];
}

/** Our window's top frame, loaded from our origin — nothing else may call the API (STYLE.md §3). */
export function isTrustedSender(event: IpcMainInvokeEventLike, policy: SenderPolicy): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (event.sender.id !== policy.trustedWebContentsId()) return false;
  const origin = originOf(frame.url);
  return origin !== null && policy.trustedOrigins.includes(origin);
}

const forbidden: Result<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'IPC message from an unknown sender refused' },
};

/** Registers every request's handler; returns their removal. */
export function registerIpcHandlers(ipcMain: IpcMainLike, api: ServedApi, policy: SenderPolicy): () => void {
  for (const name of requestNames) {
    ipcMain.handle(ipcRequestChannel(name), async (event, payload) => {
      if (!isTrustedSender(event, policy)) return forbidden;
      try {
        return await api.dispatch(name, payload);
      } catch (err) {
        return { ok: false, error: toErrorData(err) } satisfies Result<never>;
      }
    });
  }
  return () => {
    for (const name of requestNames) ipcMain.removeHandler(ipcRequestChannel(name));
  };
}

/** Sends one event of the contract to the window on the channel preload listens to. */
export function sendEvent<E extends EventName>(contents: WebContentsLike, event: E, data: Events[E]): void {
  if (!contents.isDestroyed()) contents.send(ipcEventChannel(event), data);
}

/** Pushes every event of the contract to the window; returns the unsubscribe. */
export function forwardEvents(api: ServedApi, target: () => WebContentsLike | null): () => void {
  const offs = eventNames.map((event) =>
    api.subscribe(event, (data) => {
      const contents = target();
      if (contents) sendEvent(contents, event, data);
    }),
  );
  return () => {
    for (const off of offs) off();
  };
}
