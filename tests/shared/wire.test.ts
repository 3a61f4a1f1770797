import { describe, expect, it } from 'vitest';
import { requestNames } from '../../src/shared/api';
import {
  checkUploadPath,
  createWireBridge,
  parseClientMessage,
  type RequestMessage,
} from '../../src/shared/wire';

describe('the wire protocol', () => {
  it('accepts clean relative upload paths and normalises separators', () => {
    expect(checkUploadPath('cats/a.png')).toEqual({ ok: true, path: 'cats/a.png' });
    expect(checkUploadPath('set\\dogs\\b.jpg')).toEqual({ ok: true, path: 'set/dogs/b.jpg' });
  });

  it.each([
    ['../etc/passwd'],
    ['a/../../b'],
    ['/etc/passwd'],
    ['\\\\server\\share\\x'],
    ['C:\\Windows\\x'],
    ['c:x'],
    ['a/\0b'],
    ['a//b'],
    ['./a'],
    ['a/./b'],
    [''],
    ['x'.repeat(2000)],
    [Array.from({ length: 40 }, () => 'd').join('/')],
    ['a/b\nc'],
    ['a/b?.png'],
  ])('refuses the hostile upload path %j', (p) => {
    expect(checkUploadPath(p).ok).toBe(false);
  });

  it('refuses non-string upload paths', () => {
    expect(checkUploadPath(undefined).ok).toBe(false);
    expect(checkUploadPath({ toString: () => 'a' }).ok).toBe(false);
  });

  it('parses requests and keeps the id of a malformed one so it can be answered', () => {
    const good = parseClientMessage(
      JSON.stringify({ type: 'request', id: 3, name: 'runs.list', payload: {} }),
    );
    expect(good).toEqual({ ok: true, message: { type: 'request', id: 3, name: 'runs.list', payload: {} } });
    const noName = parseClientMessage(JSON.stringify({ type: 'request', id: 4, name: 5 }));
    expect(noName).toMatchObject({ ok: false, id: 4, error: { code: 'VALIDATION' } });
    expect(parseClientMessage('{not json')).toMatchObject({ ok: false, id: null });
    expect(parseClientMessage('[]')).toMatchObject({ ok: false, id: null });
  });

  it('turns a bridge call into a request message and resolves it with the matching response', async () => {
    const sent: RequestMessage[] = [];
    const wire = createWireBridge((text) => sent.push(JSON.parse(text) as RequestMessage));
    expect(Object.keys(wire.bridge.requests).sort()).toEqual([...requestNames].sort());
    const answer = wire.bridge.requests['runs.get']({ id: 'r1' });
    const other = wire.bridge.requests['jobs.list']({});
    expect(sent.map((m) => m.name)).toEqual(['runs.get', 'jobs.list']);
    wire.receive(JSON.stringify({ type: 'response', id: sent[1]!.id, result: { ok: true, value: [] } }));
    wire.receive(
      JSON.stringify({
        type: 'response',
        id: sent[0]!.id,
        result: { ok: false, error: { code: 'NOT_FOUND', message: 'no' } },
      }),
    );
    await expect(other).resolves.toEqual({ ok: true, value: [] });
    await expect(answer).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('delivers events to subscribers until they unsubscribe, and fails pending calls on demand', async () => {
    const wire = createWireBridge(() => {});
    const seen: string[] = [];
    const off = wire.bridge.on('run.status', (d) => seen.push(d.status));
    const event = (status: string) =>
      JSON.stringify({ type: 'event', event: 'run.status', data: { runId: 'r', status, error: null } });
    wire.receive(event('running'));
    off();
    wire.receive(event('done'));
    expect(seen).toEqual(['running']);
    const pending = wire.bridge.requests['system.info']({});
    wire.failPending({ code: 'INTERNAL', message: 'socket closed' });
    await expect(pending).resolves.toMatchObject({ ok: false, error: { message: 'socket closed' } });
  });
});
