import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createBridge, exposeBridge, type IpcRendererLike } from '../../src/preload/bridge';
import { eventNames, requestNames, type Bridge } from '../../src/shared/api';
import { ipcEventChannel, ipcRequestChannel } from '../../src/shared/ipc';

function fakeIpcRenderer() {
  const emitter = new EventEmitter();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const ipc: IpcRendererLike & { emitter: EventEmitter; invoked: typeof invoked } = {
    emitter,
    invoked,
    async invoke(channel, ...args) {
      invoked.push({ channel, args });
      return { ok: true, value: channel };
    },
    on: (channel, listener) => emitter.on(channel, listener),
    removeListener: (channel, listener) => emitter.removeListener(channel, listener),
  };
  return ipc;
}

describe('the preload bridge', () => {
  it('exposes exactly { requests, on } under window.prunelab, never ipcRenderer', () => {
    const exposed: Record<string, unknown> = {};
    const ipcRenderer = fakeIpcRenderer();
    exposeBridge({ contextBridge: { exposeInMainWorld: (key, api) => (exposed[key] = api) }, ipcRenderer });
    expect(Object.keys(exposed)).toEqual(['prunelab']);
    const bridge = exposed.prunelab as Bridge;
    expect(Object.keys(bridge).sort()).toEqual(['on', 'requests']);
    expect(Object.values(bridge)).not.toContain(ipcRenderer);
    expect(Object.values(bridge.requests)).not.toContain(ipcRenderer.invoke);
    expect(Object.isFrozen(bridge) && Object.isFrozen(bridge.requests)).toBe(true);
  });

  it('has one function per request of the contract, invoking that request’s channel with the payload', async () => {
    const ipcRenderer = fakeIpcRenderer();
    const bridge = createBridge(ipcRenderer);
    expect(Object.keys(bridge.requests).sort()).toEqual([...requestNames].sort());
    for (const name of requestNames) expect(typeof bridge.requests[name]).toBe('function');
    const answer = await bridge.requests['runs.get']({ id: 'r1' });
    expect(answer).toEqual({ ok: true, value: ipcRequestChannel('runs.get') });
    expect(ipcRenderer.invoked).toEqual([{ channel: ipcRequestChannel('runs.get'), args: [{ id: 'r1' }] }]);
  });

  it('delivers event data (not the IPC event) until unsubscribed', () => {
    const ipcRenderer = fakeIpcRenderer();
    const bridge = createBridge(ipcRenderer);
    const seen: unknown[][] = [];
    const off = bridge.on('job.progress', (...args: unknown[]) => void seen.push(args));
    const data = {
      jobId: 'j',
      kind: 'train',
      runId: null,
      datasetId: null,
      phase: 'train',
      done: 1,
      total: 2,
    };
    ipcRenderer.emitter.emit(ipcEventChannel('job.progress'), { sender: 'secret ipc event' }, data);
    off();
    ipcRenderer.emitter.emit(ipcEventChannel('job.progress'), { sender: 'x' }, data);
    expect(seen).toEqual([[data]]);
    expect(ipcRenderer.emitter.listenerCount(ipcEventChannel('job.progress'))).toBe(0);
  });

  it('subscribes to every event of the contract and refuses unknown ones', () => {
    const bridge = createBridge(fakeIpcRenderer());
    for (const event of eventNames) bridge.on(event, () => undefined)();
    expect(() => bridge.on('nope' as never, () => undefined)).toThrow(/unknown event/);
    expect(() => bridge.on('run.status', 'not a function' as never)).toThrow(/function/);
  });
});
