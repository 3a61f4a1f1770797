// A fake of the services for renderer tests: a Bridge answering from in-memory DTOs, recording calls,
// and able to push events like the real transport does.
import type { Bridge, EventName, Events, RequestName } from '../../src/shared/api';
import { requestNames } from '../../src/shared/api';
import type { ApiErrorData, Result } from '../../src/shared/errors';
import type {
  DatasetDetail,
  DatasetSample,
  PresetInfo,
  RunDetail,
  Settings,
  SystemInfo,
  ArtifactSummary,
  JobSummary,
  QueueStatus,
} from '../../src/shared/dto';
import { createClient, type ApiClient, type FolderFile } from '../../src/renderer/api/client';
import { makePresets, makeSettings, makeSystem } from './fixtures';

export interface FakeState {
  system: SystemInfo;
  settings: Settings;
  presets: PresetInfo[];
  datasets: DatasetDetail[];
  runs: RunDetail[];
  artifacts: ArtifactSummary[];
  jobs: JobSummary[];
  queue: QueueStatus;
  /** Answer a request with this error instead (by request name). */
  failures: Partial<Record<RequestName, ApiErrorData>>;
}

const pixel =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function summary(d: DatasetDetail) {
  const { problems: _p, ...rest } = d;
  return rest;
}

export interface FakeApi {
  client: ApiClient;
  state: FakeState;
  calls: { name: RequestName; payload: unknown }[];
  emit<E extends EventName>(event: E, data: Events[E]): void;
  listenerCount(): number;
  uploads: { files: FolderFile[]; options: unknown }[];
}

export function createFakeApi(
  init: Partial<FakeState> = {},
  transport: 'ipc' | 'websocket' = 'websocket',
): FakeApi {
  const state: FakeState = {
    system: makeSystem(),
    settings: makeSettings(),
    presets: makePresets(),
    datasets: [],
    runs: [],
    artifacts: [],
    jobs: [],
    queue: { enabled: false, url: null, depth: null, workers: [], problem: null },
    failures: {},
    ...init,
  };
  const calls: FakeApi['calls'] = [];
  const listeners = new Map<EventName, Set<(d: unknown) => void>>();
  let jobCounter = 0;
  const job = () => ({ jobId: `job-${++jobCounter}` });

  const notFound = (what: string): Result<never> => ({
    ok: false,
    error: { code: 'NOT_FOUND', message: `${what} not found` },
  });

  function answer(name: RequestName, payload: Record<string, unknown>): Result<unknown> {
    const failure = state.failures[name];
    if (failure) return { ok: false, error: failure };
    const ok = (value: unknown): Result<unknown> => ({ ok: true, value });
    switch (name) {
      case 'system.info':
        return ok(state.system);
      case 'system.reveal':
        return state.system.mode === 'serve'
          ? { ok: false, error: { code: 'UNSUPPORTED', message: 'not in serve mode' } }
          : ok({ revealed: true });
      case 'settings.get':
        return ok(state.settings);
      case 'settings.set':
        state.settings = { ...state.settings, ...payload };
        return ok(state.settings);
      case 'presets.list':
        return ok(state.presets);
      case 'datasets.list':
        return ok(state.datasets.map(summary));
      case 'datasets.get': {
        const d = state.datasets.find((x) => x.id === payload.id);
        return d ? ok(d) : notFound('dataset');
      }
      case 'datasets.rename': {
        const d = state.datasets.find((x) => x.id === payload.id);
        if (!d) return notFound('dataset');
        const name = String(payload.name);
        if (state.datasets.some((x) => x.id !== d.id && x.name.toLowerCase() === name.toLowerCase()))
          return {
            ok: false,
            error: {
              code: 'CONFLICT',
              message: `a dataset named "${name}" already exists; choose another name`,
            },
          };
        d.name = name;
        return ok(d);
      }
      case 'datasets.delete': {
        // Like the services: a dataset some runs use goes only with deleteRuns, and its runs with it.
        const runsDeleted = state.runs.filter((r) => r.datasetId === payload.id).length;
        if (runsDeleted > 0 && payload.deleteRuns !== true)
          return { ok: false, error: { code: 'CONFLICT', message: `used by ${runsDeleted} runs` } };
        state.datasets = state.datasets.filter((x) => x.id !== payload.id);
        state.runs = state.runs.filter((r) => r.datasetId !== payload.id);
        return ok({ deleted: true, runsDeleted });
      }
      case 'datasets.samples': {
        const indices =
          (payload.indices as number[] | undefined) ??
          Array.from({ length: Number(payload.limit ?? 48) }, (_, i) => Number(payload.offset ?? 0) + i);
        const items: DatasetSample[] = indices.map((index) => ({
          index,
          split: (payload.split as DatasetSample['split']) ?? 'train',
          label: Number(payload.classIndex ?? 0),
          dataUrl: pixel,
        }));
        return ok({ total: items.length, items });
      }
      case 'datasets.import':
      case 'datasets.exportImages':
      case 'exports.create':
        return ok(job());
      case 'runs.start': {
        const id = `run-new-${jobCounter + 1}`;
        return ok({ runId: id, ...job() });
      }
      case 'runs.sweep':
        return ok({ sweepId: 'sweep-1', runIds: ['a', 'b'] });
      case 'runs.list':
        return ok(
          state.runs.map(
            ({
              metrics: _m,
              pruneSteps: _p,
              denseEvaluation: _d,
              evaluation: _e,
              sensitivity: _s,
              artifacts: _a,
              classes: _c,
              ...rest
            }) => rest,
          ),
        );
      case 'runs.get': {
        const r = state.runs.find((x) => x.id === payload.id);
        return r ? ok(r) : notFound('run');
      }
      case 'runs.compare': {
        const ids = payload.ids as string[];
        const runs = ids.map((id) => state.runs.find((r) => r.id === id)).filter((r): r is RunDetail => !!r);
        return runs.length === ids.length ? ok({ runs, differences: [] }) : notFound('run');
      }
      case 'runs.cancel':
        return ok({ cancelled: true });
      case 'runs.resume':
        return ok({ runId: payload.id, ...job() });
      case 'runs.delete':
        state.runs = state.runs.filter((r) => r.id !== payload.id);
        return ok({ deleted: true });
      case 'exports.list':
        return ok(state.artifacts.filter((a) => a.runId === payload.runId));
      case 'jobs.list':
        return ok(state.jobs);
      case 'jobs.cancel':
        return ok({ cancelled: true });
      case 'jobs.queue':
        return ok(state.queue);
    }
  }

  const requests = Object.fromEntries(
    requestNames.map((name) => [
      name,
      async (payload: unknown) => {
        calls.push({ name, payload });
        return structuredClone(answer(name, (payload ?? {}) as Record<string, unknown>));
      },
    ]),
  ) as unknown as Bridge['requests'];

  const bridge: Bridge = {
    requests,
    on: (event, listener) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (d: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
  };
  const uploads: FakeApi['uploads'] = [];
  const client = createClient(
    bridge,
    transport,
    transport === 'websocket'
      ? async (files, options, onProgress) => {
          uploads.push({ files, options });
          onProgress?.({ sentFiles: files.length, totalFiles: files.length });
          return job();
        }
      : null,
    null,
    transport === 'websocket'
      ? (artifactId) => `http://127.0.0.1:7370/api/exports/${artifactId}/zip?token=t`
      : null,
  );
  return {
    client,
    state,
    calls,
    uploads,
    emit(event, data) {
      for (const l of listeners.get(event) ?? []) l(data);
    },
    listenerCount: () => [...listeners.values()].reduce((a, s) => a + s.size, 0),
  };
}
