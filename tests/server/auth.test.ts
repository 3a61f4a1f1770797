import { describe, expect, it } from 'vitest';
import { allowedHostNames, checkLocalRequest, createToken, tokensEqual } from '../../src/main/server/auth';

describe('serve mode access rules', () => {
  it('makes long random tokens and compares them exactly', () => {
    const a = createToken();
    expect(a).toMatch(/^[\w-]{32}$/);
    expect(createToken()).not.toBe(a);
    expect(tokensEqual(a, a)).toBe(true);
    expect(tokensEqual(a, a.slice(1))).toBe(false);
    expect(tokensEqual(a, null)).toBe(false);
  });

  it('allows loopback names, plus a specific bound host', () => {
    expect(allowedHostNames('127.0.0.1').sort()).toEqual(['127.0.0.1', '[::1]', 'localhost']);
    expect(allowedHostNames('192.168.1.5')).toContain('192.168.1.5');
    expect(allowedHostNames('fe80::1')).toContain('[fe80::1]');
  });

  it('bound to every interface, allows this machine’s own addresses (and still no other name)', () => {
    const names = allowedHostNames('0.0.0.0', () => ['127.0.0.1', '10.0.0.7', '::1']);
    expect(names).toContain('10.0.0.7');
    expect(checkLocalRequest({ host: '10.0.0.7:8000' }, names, 8000)).toEqual({ ok: true });
    expect(checkLocalRequest({ host: 'attacker.example:8000' }, names, 8000).ok).toBe(false);
  });

  it('checks Host against the port and Origin against the same hosts', () => {
    const names = allowedHostNames('127.0.0.1');
    expect(checkLocalRequest({ host: 'localhost:9' }, names, 9)).toEqual({ ok: true });
    expect(checkLocalRequest({ host: 'LOCALHOST:9' }, names, 9)).toEqual({ ok: true });
    expect(checkLocalRequest({ host: 'localhost' }, names, 9).ok).toBe(false);
    expect(checkLocalRequest({}, names, 9).ok).toBe(false);
    expect(checkLocalRequest({ host: 'localhost:9', origin: 'http://127.0.0.1:9' }, names, 9)).toEqual({
      ok: true,
    });
    expect(checkLocalRequest({ host: 'localhost:9', origin: 'http://127.0.0.1:10' }, names, 9).ok).toBe(
      false,
    );
    expect(checkLocalRequest({ host: 'localhost:9', origin: 'https://localhost:9' }, names, 9).ok).toBe(
      false,
    );
  });
});
