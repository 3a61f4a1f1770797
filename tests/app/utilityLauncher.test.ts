import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createUtilityLauncher } from '../../src/main/app/utilityLauncher';
import type { WorkerExit } from '../../src/main/jobs/launcher';
import type { FromWorker } from '../../src/main/jobs/protocol';
import { createFakeElectron } from './fakeElectron';

describe('the utilityProcess WorkerLauncher', () => {
  it('forks the worker entry, relays its protocol messages only, and reports its exit with the stderr tail', () => {
    const electron = createFakeElectron();
    const launcher = createUtilityLauncher(electron.utilityProcess, '/app/out/main/worker.js');
    const handle = launcher.launch();
    const child = electron.utilityChildren[0]!;
    expect(child.modulePath).toBe('/app/out/main/worker.js');
    expect(child.forkOptions).toMatchObject({ stdio: 'pipe' });
    expect(handle.pid).toBe(4242);

    const received: FromWorker[] = [];
    handle.onMessage((m) => received.push(m));
    child.emit('message', { type: 'ready', pid: 4242 });
    child.emit('message', { type: 'bogus' });
    child.emit('message', 'text');
    expect(received).toEqual([{ type: 'ready', pid: 4242 }]);

    handle.send({ type: 'cancel' });
    expect(child.posted).toEqual([{ type: 'cancel' }]);

    (child.stderr as unknown as EventEmitter).emit('data', Buffer.from('Error: out of memory\n'));
    const exits: WorkerExit[] = [];
    handle.onExit((e) => exits.push(e));
    child.emit('exit', 134);
    expect(exits).toEqual([{ code: 134, signal: null, stderrTail: 'Error: out of memory\n' }]);
    // After exit: late listeners still hear it once, sends and kills are no-ops.
    handle.onExit((e) => exits.push(e));
    expect(exits).toHaveLength(2);
    handle.send({ type: 'shutdown' });
    handle.kill();
    expect(child.posted).toHaveLength(1);
    expect(child.killed).toBe(false);
  });

  it('kills a running worker on request', () => {
    const electron = createFakeElectron();
    const handle = createUtilityLauncher(electron.utilityProcess, '/w.js').launch();
    handle.kill();
    expect(electron.utilityChildren[0]?.killed).toBe(true);
  });
});
