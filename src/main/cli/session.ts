// What every command shares: open the services on the data dir, call a request (failures become
// ApiErrors), run a job to its end while printing its progress, cancel it on Ctrl-C, and turn a dataset
// argument (an imported id or a path) into a dataset id.
import { resolve } from 'node:path';
import type { ResultOf, RequestName, PayloadIn } from '../../shared/api';
import type { DatasetDetail } from '../../shared/dto';
import { ApiError } from '../../shared/errors';
import { createAppServices, type AppServices, type JobResult } from '../services';
import { CliError, type CliIo } from './command';

export async function openServices(dataDir: string): Promise<AppServices> {
  return createAppServices({ dataDir, mode: 'cli' });
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

const PROGRESS_EVERY_MS = 1000;

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
  const lastPrint = new Map<string, number>();
  const unsubscribe = [
    services.subscribe('job.progress', (p) => {
      const now = Date.now();
      const key = `${p.jobId}:${p.phase}`;
      const finished = p.total > 0 && p.done >= p.total;
      if (lastPrint.has(key) && now - (lastPrint.get(key) ?? 0) < PROGRESS_EVERY_MS && !finished) return;
      lastPrint.set(key, now);
      const counts = p.total > 0 ? ` ${p.done}/${p.total}` : '';
      const eta = p.etaSeconds !== undefined ? ` (about ${p.etaSeconds} s left)` : '';
      io.progress(`${p.kind}: ${p.message ?? `${p.phase}${counts}`}${eta}`);
    }),
    services.subscribe('run.epoch', (e) => {
      const values = e.values.map(
        (v) => `${v.split === 'train' ? '' : `${v.split} `}${v.name} ${formatValue(v.name, v.value)}`,
      );
      io.err(`${e.phase === 'finetune' ? 'fine-tune' : 'train'} epoch ${e.epoch} · ${values.join(' · ')}`);
    }),
  ];
  unsubscribe.push(
    services.subscribe('job.finished', (f) => {
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
      throw new CliError(`${label} failed: ${error.message}`, { code: error.code });
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

/** An imported dataset's id as given, or the path imported now (reusing an earlier import of that path). */
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
  return importDataset(services, { path, ...flags }, io);
}

export async function importDataset(
  services: AppServices,
  options: PayloadIn<'datasets.import'>,
  io: CliIo,
): Promise<DatasetDetail> {
  const { jobId } = await call(services, 'datasets.import', options);
  const result = await followJob(services, jobId, io, 'import');
  const detail = result.result as DatasetDetail;
  io.err(`import: ${detail.imported} images in ${detail.classes.length} classes (${detail.skipped} skipped)`);
  return call(services, 'datasets.get', { id: detail.id });
}

/** Parses a number option, failing with a usage error that names the flag. */
export function numberOption(
  values: Record<string, unknown>,
  flag: string,
  kind: 'int' | 'float' = 'float',
): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (
    typeof raw !== 'string' ||
    raw.trim() === '' ||
    !Number.isFinite(n) ||
    (kind === 'int' && !Number.isInteger(n))
  ) {
    throw new CliError(
      `--${flag} must be ${kind === 'int' ? 'an integer' : 'a number'}, got "${String(raw)}"`,
      {
        exitCode: 2,
        code: 'USAGE',
      },
    );
  }
  return n;
}

export function percent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined ? '—' : `${(fraction * 100).toFixed(1)}%`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
