// The API contract: every request with its payload schema and result type, every event with its data.
// Main's handler registry, preload's bridge, the HTTP/WebSocket server and the renderer's client are all
// typed from this one module; no channel name is written anywhere else (STYLE.md §1).
import type { z } from 'zod';
import type {
  ArtifactSummary,
  BackendInfo,
  CompareResult,
  DatasetDetail,
  DatasetSample,
  DatasetSummary,
  EvaluationReport,
  JobKind,
  JobSummary,
  PresetInfo,
  PruneStepReport,
  QueueStatus,
  RunDetail,
  RunStatus,
  RunSummary,
  SensitivityCurve,
  Settings,
  SweepRequestResult,
  SystemInfo,
} from './dto';
import type { ApiErrorData, Result } from './errors';
import { payloads, type PayloadSchemas } from './schemas';

/** Result type of every request. */
export interface Results {
  'system.info': SystemInfo;
  'system.reveal': { revealed: boolean };
  'presets.list': PresetInfo[];
  'datasets.import': { jobId: string };
  'datasets.list': DatasetSummary[];
  'datasets.get': DatasetDetail;
  'datasets.rename': DatasetDetail;
  /** How many runs went with the dataset (deleteRuns must be true when it had any). */
  'datasets.delete': { deleted: true; runsDeleted: number };
  'datasets.samples': { total: number; items: DatasetSample[] };
  'datasets.exportImages': { jobId: string };
  'runs.start': { runId: string; jobId: string };
  'runs.sweep': SweepRequestResult;
  'runs.list': RunSummary[];
  'runs.get': RunDetail;
  'runs.compare': CompareResult;
  'runs.cancel': { cancelled: true };
  'runs.resume': { runId: string; jobId: string };
  'runs.delete': { deleted: true };
  'exports.create': { jobId: string };
  'exports.list': ArtifactSummary[];
  'jobs.list': JobSummary[];
  'jobs.cancel': { cancelled: true };
  'jobs.queue': QueueStatus;
  'settings.get': Settings;
  'settings.set': Settings;
}

export type RequestName = keyof PayloadSchemas & keyof Results;
export const requestNames = Object.keys(payloads) as RequestName[];

/** What a caller sends (defaults may be left out). */
export type PayloadIn<N extends RequestName> = z.input<PayloadSchemas[N]>;
/** What a handler receives after parsing (defaults filled in). */
export type Payload<N extends RequestName> = z.output<PayloadSchemas[N]>;
export type ResultOf<N extends RequestName> = Results[N];

/** Every event main pushes to subscribers. */
export interface Events {
  'job.progress': {
    jobId: string;
    kind: JobKind;
    runId: string | null;
    datasetId: string | null;
    phase: string;
    done: number;
    total: number;
    message?: string;
    etaSeconds?: number;
  };
  'job.finished': {
    jobId: string;
    kind: JobKind;
    status: 'done' | 'failed' | 'cancelled';
    runId: string | null;
    datasetId: string | null;
    artifactId: string | null;
    error: ApiErrorData | null;
    /**
     * An import whose content is already imported (same content hash) ends done without a new dataset:
     * this names the existing one. Import again with `duplicate: 'copy'` to keep a second copy.
     */
    duplicateOf?: { datasetId: string; name: string };
  };
  'run.status': { runId: string; status: RunStatus; error: string | null };
  /** The worker that picked the run up says which backend trains it (the badge stops waiting). */
  'run.backend': { runId: string; backend: BackendInfo };
  'run.epoch': {
    runId: string;
    epoch: number;
    phase: 'train' | 'finetune';
    values: { split: 'train' | 'validation' | 'test'; name: string; value: number }[];
  };
  'run.pruneStep': { runId: string; report: PruneStepReport };
  'run.evaluation': { runId: string; which: 'dense' | 'final'; report: EvaluationReport };
  'run.sensitivity': { runId: string; curve: SensitivityCurve };
  'dataset.changed': { datasetId: string; change: 'imported' | 'deleted' | 'renamed' };
  /**
   * Electron only, pushed by main (never by the services, so serve mode never emits it): a menu command
   * the page carries out, because only the page knows what is on screen (e.g. which run to export).
   */
  'app.command': { command: AppCommand };
}

/** Menu commands main hands to the page (the 'app.command' event). */
export const appCommands = ['export-model', 'new-run'] as const;
export type AppCommand = (typeof appCommands)[number];

export type EventName = keyof Events;
export const eventNames = [
  'job.progress',
  'job.finished',
  'run.status',
  'run.backend',
  'run.epoch',
  'run.pruneStep',
  'run.evaluation',
  'run.sensitivity',
  'dataset.changed',
  'app.command',
] as const satisfies readonly EventName[];

// Compile-time proof that eventNames lists every event exactly.
type MissingEvent = Exclude<EventName, (typeof eventNames)[number]>;
const _allEventsListed: MissingEvent extends never ? true : never = true;
void _allEventsListed;

/** The flat callable form of the API: `api.call('runs.list', {...})`. */
export interface ApiCaller {
  call<N extends RequestName>(name: N, payload: PayloadIn<N>): Promise<ResultOf<N>>;
}

/** Transport-level envelope of a request's answer. */
export type Envelope<N extends RequestName> = Result<ResultOf<N>>;

/** A subscription to one event; returns its unsubscribe. */
export type Subscribe = <E extends EventName>(event: E, listener: (data: Events[E]) => void) => () => void;

/** One function per request, answering with the envelope (errors as data). */
export type RequestFunctions = { [N in RequestName]: (payload: PayloadIn<N>) => Promise<Envelope<N>> };

/**
 * What preload exposes as `window.prunelab` (built from requestNames: one function per request, never
 * ipcRenderer) and what the WebSocket transport implements for serve mode.
 */
export interface Bridge {
  requests: RequestFunctions;
  on: Subscribe;
}

/** The handler side: one function per request, receiving a parsed payload. */
export type Handlers = { [N in RequestName]: (payload: Payload<N>) => Promise<ResultOf<N>> };

export { payloads };
