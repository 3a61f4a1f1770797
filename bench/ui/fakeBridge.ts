// A browser-side stand-in for preload's window.prunelab, answering from fixture DTOs. Installed with
// page.addInitScript, so it must be self-contained: no imports, no closures over module scope.
import type {
  ArtifactSummary,
  DatasetDetail,
  PresetInfo,
  RunDetail,
  Settings,
  SystemInfo,
} from '../../src/shared/dto';

export interface FakeBridgeData {
  system: SystemInfo;
  settings: Settings;
  presets: PresetInfo[];
  datasets: DatasetDetail[];
  runs: RunDetail[];
  artifacts: ArtifactSummary[];
  thumbnail: string;
}

export function installFakeBridge(data: FakeBridgeData): void {
  const answer = (name: string, p: Record<string, unknown>): unknown => {
    switch (name) {
      case 'system.info':
        return data.system;
      case 'settings.get':
        return data.settings;
      case 'settings.set':
        Object.assign(data.settings, p);
        return data.settings;
      case 'presets.list':
        return data.presets;
      case 'datasets.list':
        return data.datasets;
      case 'datasets.get':
        return data.datasets.find((d) => d.id === p.id);
      case 'datasets.samples': {
        const limit = Number(p.limit ?? 48);
        const indices = (p.indices as number[] | undefined) ?? Array.from({ length: limit }, (_, i) => i);
        return {
          total: indices.length,
          items: indices.map((index) => ({
            index,
            split: p.split ?? 'train',
            label: 0,
            dataUrl: data.thumbnail,
          })),
        };
      }
      case 'runs.list':
        return data.runs;
      case 'runs.get':
        return data.runs.find((r) => r.id === p.id);
      case 'runs.compare': {
        const ids = p.ids as string[];
        return { runs: ids.map((id) => data.runs.find((r) => r.id === id)).filter(Boolean), differences: [] };
      }
      case 'exports.list':
        return data.artifacts.filter((a) => a.runId === p.runId);
      case 'jobs.list':
        return [];
      default:
        return { jobId: 'job-1', runId: 'run-1', cancelled: true, deleted: true, revealed: true };
    }
  };
  const requests = new Proxy(
    {},
    {
      get: (_t, name: string) => async (payload: Record<string, unknown>) => {
        const value = answer(name, payload ?? {});
        return value === undefined
          ? { ok: false, error: { code: 'NOT_FOUND', message: `${name}: not found` } }
          : { ok: true, value };
      },
    },
  );
  (globalThis as unknown as { prunelab: unknown }).prunelab = { requests, on: () => () => undefined };
}

/** The init-script source: esbuild (tsx) may wrap functions in __name(), which the page lacks. */
export function fakeBridgeScript(data: FakeBridgeData): string {
  return `var __name = (f) => f; (${installFakeBridge.toString()})(${JSON.stringify(data)});`;
}
