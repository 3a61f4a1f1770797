// Electron IPC channel names, derived from the contract's request and event names so no channel
// string is written twice (STYLE.md §1). Used by main (src/main/app) and preload only.
import type { EventName, RequestName } from './api';

const prefix = 'prunelab:';

export function ipcRequestChannel(name: RequestName): string {
  return `${prefix}request:${name}`;
}

export function ipcEventChannel(event: EventName): string {
  return `${prefix}event:${event}`;
}
