// What every command shares: open the services on the data dir, call a request (failures become
// ApiErrors), run a job to its end while printing its progress, cancel it on Ctrl-C, and turn a dataset
// argument (an imported id or a path) into a dataset id.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ResultOf, RequestName, PayloadIn } from '../../shared/api';
import type { DatasetDetail } from '../../shared/dto';
import { ApiError } from '../../shared/errors';
import { createAppServices, type AppServices, type JobResult } from '../services';
import { CliError, type CliIo } from './command';
import { problemLines, problemsIn } from './doctorLines';
import { numberOption } from './flags';
import { createProgressLines } from './progressLines';

export { numberOption };

export async function openServices(dataDir: string): Promise<AppServices> {
  return createAppServices({ dataDir, mode: 'cli' });
}

/** Runs `work` on the services of the data dir, closing them (jobs stopped, database closed) after. */
export async function withServices<T>(
  dataDir: string,
  work: (services: AppServices) => Promise<T>,
): Promise<T> {
  const services = await openServices(dataDir);
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}

export async function call<N extends RequestName>(
  services: AppServices,
  name: N,
  payload: PayloadIn<N>,
): Promise<ResultOf<N>> {
  const result = await services.dispatch(name, payload);
  if (!result.ok) throw new ApiError(result.error);
  return result.value as ResultOf<N>;
}

function formatValue(name: string, value: number): string {
  return name.includes('accuracy') || name.includes('f1') ? `${(value * 100).toFixed(1)}%` : value.toFixed(4);
}

/**
 * Follows a job to its end, printing progress; Ctrl-C cancels it. Throws CliError unless it ends done.
 * Every job of this CLI process is shown (a prune run's dense parent trains in its own job first).
 */
export async function followJob(
  services: AppServices,
  jobId: string,
  io: CliIo,
  label: string,
): Promise<JobResult> {
  const lines = createProgressLines(io);
  const unsubscribe = [
    services.subscribe('job.progress', (p) => lines.progress(p)),
    services.subscribe('run.epoch', (e) => {
      const values = e.values.map(
        (v) => `${v.split === 'train' ? '' : `${v.split} `}${v.name} ${formatValue(v.name, v.value)}`,
      );
      io.err(`${e.phase === 'finetune' ? 'fine-tune' : 'train'} epoch ${e.epoch} · ${values.join(' · ')}`);
    }),
  ];
  unsubscribe.push(
    services.subscribe('job.finished', (f) => {
      lines.finished(f);
      // A dense parent that fails explains why the followed job never starts.
      if (f.jobId !== jobId && f.status === 'failed')
        io.err(`${f.kind} failed: ${f.error?.message ?? 'unknown error'}`);
    }),
  );
  const onAbort = () => {
    io.err(`${label}: cancelling…`);
    // Every job of this CLI process is part of this command (e.g. the dense parent of a prune run).
    void services.dispatch('jobs.list', {}).then((listed) => {
      const ids = listed.ok ? (listed.value as { id: string }[]).map((j) => j.id) : [jobId];
      for (const id of ids.includes(jobId) ? ids : [...ids, jobId])
        void services.dispatch('jobs.cancel', { jobId: id });
    });
  };
  io.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await services.waitForJob(jobId);
    if (result.status === 'cancelled' || (io.signal.aborted && result.status !== 'done'))
      throw new CliError(`${label} cancelled`, { exitCode: 130, code: 'CANCELLED' });
    if (result.status === 'failed') {
      const error = result.error ?? { code: 'INTERNAL' as const, message: 'unknown failure' };
      throw new CliError(`${label} failed: ${error.message}`, {
        code: error.code,
        lines: problemLines(problemsIn(error.details)),
        ...(error.details === undefined ? {} : { details: error.details }),
      });
    }
    return result;
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    for (const off of unsubscribe) off();
  }
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface ImportFlags {
  size?: number;
  channels?: 1 | 3;
  seed?: number;
}

/**
 * The dataset `--dataset` names: an imported dataset's id; else a path, imported now (reusing an earlier
 * import of that path, or of the same content); else an imported dataset's name.
 */
export async function ensureDataset(
  services: AppServices,
  value: string,
  io: CliIo,
  flags: ImportFlags = {},
): Promise<DatasetDetail> {
  if (ID_PATTERN.test(value) && services.store.datasets.get(value)) {
    return call(services, 'datasets.get', { id: value });
  }
  const path = resolve(io.cwd, value);
  if (!existsSync(path)) {
    const named = services.store.datasets.nameTaken(value);
    if (named) return call(services, 'datasets.get', { id: named.id });
    if (ID_PATTERN.test(value))
      throw new CliError(
        `no dataset with id ${value}, and nothing named ${value} here to import; ` +
          '`prunelab datasets list` shows the imported datasets',
        { code: 'NOT_FOUND' },
      );
  }
  const earlier = services.store.datasets
    .list()
    .find(
      (d) =>
        d.sourcePath === path &&
        (flags.size === undefined || d.inputShape[0] === flags.size) &&
        (flags.channels === undefined || d.inputShape[2] === flags.channels) &&
        (flags.seed === undefined || d.split.seed === flags.seed),
    );
  if (earlier) {
    io.err(`dataset: using ${earlier.name} (${earlier.id}), imported earlier from ${path}`);
    return call(services, 'datasets.get', { id: earlier.id });
  }
  return (await importDataset(services, { path, ...flags }, io)).dataset;
}

export interface Imported {
  dataset: DatasetDetail;
  /** The content was already imported: `dataset` is that earlier dataset, and nothing new was kept. */
  reused: boolean;
}

/** Imports a path, printing the doctor's findings; content already imported gives the existing dataset. */
export async function importDataset(
  services: AppServices,
  options: PayloadIn<'datasets.import'>,
  io: CliIo,
): Promise<Imported> {
  const { jobId } = await call(services, 'datasets.import', options);
  const result = await followJob(services, jobId, io, 'import');
  if (result.duplicateOf) {
    const { datasetId, name } = result.duplicateOf;
    io.err(`import: this content is already imported as "${name}" (${datasetId}); using that dataset`);
    return { dataset: await call(services, 'datasets.get', { id: datasetId }), reused: true };
  }
  const detail = result.result as DatasetDetail;
  io.err(`import: ${detail.imported} images in ${detail.classes.length} classes (${detail.skipped} skipped)`);
  return { dataset: await call(services, 'datasets.get', { id: detail.id }), reused: false };
}

export function percent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined ? '—' : `${(fraction * 100).toFixed(1)}%`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
