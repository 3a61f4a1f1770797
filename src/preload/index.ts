// The preload entry, built to CommonJS (sandboxed preloads cannot be ES modules), with everything but
// electron bundled in. `require` is the sandbox's own; electron's typings are optional here.
import { exposeBridge, type ContextBridgeLike, type IpcRendererLike } from './bridge';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the sandbox offers require('electron') only
const electron = require('electron') as { contextBridge: ContextBridgeLike; ipcRenderer: IpcRendererLike };

exposeBridge(electron);
