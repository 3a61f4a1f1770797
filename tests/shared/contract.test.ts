import { describe, expect, it } from 'vitest';
import {
  absolutePath,
  eventNames,
  payloads,
  requestNames,
  runConfig,
  toErrorData,
  ApiError,
} from '../../src/shared';

describe('the API contract', () => {
  it('declares a schema for every request and names each once', () => {
    expect(requestNames.length).toBeGreaterThan(15);
    expect(new Set(requestNames).size).toBe(requestNames.length);
    for (const name of requestNames) expect(payloads[name]).toBeDefined();
    expect(new Set(eventNames).size).toBe(eventNames.length);
  });

  it('fills defaults so a partial run config becomes a full one', () => {
    const parsed = runConfig.parse({ datasetId: 'ds1', prune: {} });
    expect(parsed.train.preset).toBe('keras-cifar-cnn');
    expect(parsed.prune?.criterion).toBe('taylor');
    expect(parsed.prune?.target).toEqual({ kind: 'sparsity', value: 0.8 });
  });

  it('rejects relative paths, traversal and NUL bytes', () => {
    expect(absolutePath.safeParse('/home/me/images').success).toBe(true);
    expect(absolutePath.safeParse('C:\\Users\\me\\images').success).toBe(true);
    expect(absolutePath.safeParse('images').success).toBe(false);
    expect(absolutePath.safeParse('/home/me/../../etc').success).toBe(false);
    expect(absolutePath.safeParse('/home/me/\0x').success).toBe(false);
  });

  it('rejects unknown keys, including prototype-pollution keys', () => {
    const hostile = JSON.parse('{"id":"abc","__proto__":{"polluted":true}}');
    expect(payloads['datasets.get'].safeParse(hostile).success).toBe(false);
    expect(payloads['datasets.get'].safeParse({ id: 'abc', extra: 1 }).success).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the code of an ApiError and classifies anything else as INTERNAL', () => {
    expect(toErrorData(new ApiError({ code: 'NOT_FOUND', message: 'no run x' })).code).toBe('NOT_FOUND');
    expect(toErrorData(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
  });
});
