// The client is provided once at the app root and injected wherever needed, so tests pass a fake.
import { inject, type InjectionKey } from 'vue';
import type { ApiClient } from './client';

export const apiKey: InjectionKey<ApiClient> = Symbol('prunelab-api');

export function useApi(): ApiClient {
  const api = inject(apiKey, null);
  if (!api) throw new Error('PruneLab API client not provided (app.provide(apiKey, client))');
  return api;
}
