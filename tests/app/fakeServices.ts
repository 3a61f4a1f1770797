// Services stand-in for the main-process tests: the contract's schemas validate like `dispatch`, settings
// are kept, and `close` is observable (the real services are used in desktopServices.test.ts).
import type { Settings } from '../../src/shared/dto';
import type { Result } from '../../src/shared/errors';
import { createFakeApi, type FakeApi } from '../server/fakeApi';

export interface FakeServices extends FakeApi {
  closed: number;
  close(): Promise<void>;
  settings: Settings;
}

export function createFakeServices(): FakeServices {
  const api = createFakeApi();
  const settings: Settings = { theme: 'system', jobConcurrency: 1, recentDatasets: [], queueUrl: null };
  const services: FakeServices = {
    ...api,
    closed: 0,
    settings,
    async close() {
      services.closed += 1;
    },
    async dispatch(name: string, raw: unknown): Promise<Result<unknown>> {
      const result = await api.dispatch(name, raw);
      if (!result.ok) return result;
      if (name === 'settings.get') return { ok: true, value: { ...settings } };
      if (name === 'settings.set') {
        Object.assign(settings, (api.calls.at(-1)?.payload ?? {}) as Partial<Settings>);
        return { ok: true, value: { ...settings } };
      }
      if (name === 'runs.list') return { ok: true, value: [] };
      return result;
    },
  };
  return services;
}
