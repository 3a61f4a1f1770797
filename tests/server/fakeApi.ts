// A small stand-in for the services (the real ones are exercised in servedServices.test.ts): validates
// with the contract's schemas like `dispatch` does, records what reached it, and emits events on demand.
import { EventEmitter } from 'node:events';
import type { EventName, Events, Subscribe } from '../../src/shared/api';
import { payloads } from '../../src/shared/schemas';
import type { Result } from '../../src/shared/errors';
import type { ServedApi } from '../../src/main/server/types';

export interface FakeApi extends ServedApi {
  calls: { name: string; payload: unknown }[];
  emit<E extends EventName>(event: E, data: Events[E]): void;
  /** Announces that the import job `jobId` ended well (what discards an imported upload). */
  finishImport(jobId: string): void;
  listenerCount(): number;
}

export function createFakeApi(): FakeApi {
  const events = new EventEmitter();
  const calls: { name: string; payload: unknown }[] = [];
  const subscribe: Subscribe = (event, listener) => {
    events.on(event, listener);
    return () => events.off(event, listener);
  };
  return {
    calls,
    async dispatch(name: string, raw: unknown): Promise<Result<unknown>> {
      if (!Object.hasOwn(payloads, name))
        return { ok: false, error: { code: 'VALIDATION', message: `unknown request ${name}` } };
      // Like the real dispatch: no payload (null/undefined) means {}.
      const parsed = payloads[name as keyof typeof payloads].safeParse(raw ?? {});
      if (!parsed.success) return { ok: false, error: { code: 'VALIDATION', message: parsed.error.message } };
      calls.push({ name, payload: parsed.data });
      if (name === 'datasets.import') return { ok: true, value: { jobId: 'job-1' } };
      return { ok: true, value: { echoed: name } };
    },
    subscribe,
    emit(event, data) {
      events.emit(event, data);
    },
    finishImport(jobId) {
      const data: Events['job.finished'] = {
        jobId,
        kind: 'import',
        status: 'done',
        runId: null,
        datasetId: 'd',
        artifactId: null,
        error: null,
      };
      events.emit('job.finished', data);
    },
    listenerCount: () => events.eventNames().reduce((n, e) => n + events.listenerCount(e), 0),
  };
}
