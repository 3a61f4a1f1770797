// What the page gets as window.prunelab: exactly the contract's Bridge — one function per request
// (built from requestNames) and `on(event, cb)` returning an unsubscribe. ipcRenderer itself, and the
// IPC event objects it hands to listeners, never reach the page (STYLE.md §2).
import { eventNames, requestNames, type Bridge, type EventName } from '../shared/api';
import { ipcEventChannel, ipcRequestChannel } from '../shared/ipc';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface ContextBridgeLike {
  exposeInMainWorld(key: string, api: unknown): void;
}

export const BRIDGE_KEY = 'prunelab';

const knownEvents: ReadonlySet<string> = new Set(eventNames);

export function createBridge(ipcRenderer: IpcRendererLike): Bridge {
  const requests = Object.fromEntries(
    requestNames.map((name) => [
      name,
      (payload: unknown) => ipcRenderer.invoke(ipcRequestChannel(name), payload),
    ]),
  ) as unknown as Bridge['requests'];

  const on: Bridge['on'] = (event, listener) => {
    if (!knownEvents.has(event)) throw new Error(`unknown event ${String(event)}`);
    if (typeof listener !== 'function') throw new Error('listener must be a function');
    const channel = ipcEventChannel(event as EventName);
    const forward = (_event: unknown, data: unknown) => (listener as (data: unknown) => void)(data);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  };

  return Object.freeze({ requests: Object.freeze(requests), on });
}

export function exposeBridge(electron: {
  contextBridge: ContextBridgeLike;
  ipcRenderer: IpcRendererLike;
}): void {
  electron.contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge(electron.ipcRenderer));
}
