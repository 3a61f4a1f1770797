// runs.*: start (with an automatic dense parent), sweep, list, get, compare, cancel, resume, delete.
import { rm } from 'node:fs/promises';
import type { Handlers } from '../../../shared/api';
import type { RunConfig, RunSummary } from '../../../shared/dto';
import { dataLayout } from '../../engine/types';
import { diffConfigs } from '../configDiff';
import type { ServiceContext } from '../context';
import { conflict, notFound } from '../errors';
import { cancelElsewhere } from '../cancelElsewhere';
import { parentDependency, runKindOf, submitRunJob } from '../runJobs';
import { expandSweep } from '../sweep';

type RunHandlers = Pick<
  Handlers,
  | 'runs.start'
  | 'runs.sweep'
  | 'runs.list'
  | 'runs.get'
  | 'runs.compare'
  | 'runs.cancel'
  | 'runs.resume'
  | 'runs.delete'
>;

function defaultName(config: RunConfig, datasetName: string): string {
  if (config.prune) {
    const target = config.prune.target;
    const amount =
      target.kind === 'sparsity' ? `${Math.round(target.value * 1000) / 10}%` : `θ=${target.value}`;
    return `${config.prune.criterion} ${amount} · ${datasetName}`;
  }
  if (config.sensitivity) return `sensitivity (${config.sensitivity.criterion}) · ${datasetName}`;
  return `${config.train.preset} · ${datasetName}`;
}

function requireRun(ctx: ServiceContext, id: string): RunSummary {
  const run = ctx.store.runs.get(id);
  if (!run) throw notFound('run', id);
  return run;
}

export function createRunHandlers(ctx: ServiceContext): RunHandlers {
  const { store } = ctx;

  /** Announces the run as queued, then submits its job (which may start — and say 'running' — at once). */
  function enqueue(run: RunSummary, resume: boolean): string {
    ctx.bus.emit('run.status', { runId: run.id, status: 'queued', error: null });
    return submitRunJob(ctx, run, resume);
  }

  function requireDataset(id: string) {
    const dataset = store.datasets.get(id);
    if (!dataset) throw notFound('dataset', id);
    return dataset;
  }

  /** Creates the run row (and a dense parent first when a prune/sensitivity run has none) and queues it. */
  function startRun(name: string | undefined, config: RunConfig, sweepId: string | null = null) {
    const kind = runKindOf(config);
    const dataset = requireDataset(config.datasetId);
    let parentRunId = config.parentRunId;
    if (kind !== 'train' && parentRunId) parentDependency(ctx, parentRunId, config.datasetId);
    const runName = name ?? defaultName(config, dataset.name);
    ctx.jobs.ensureRoom(kind !== 'train' && !parentRunId ? 2 : 1, 'this run');
    if (kind !== 'train' && !parentRunId) {
      const parentConfig: RunConfig = { datasetId: config.datasetId, train: config.train };
      const parent = store.runs.create({
        name: `${runName} · dense`,
        kind: 'train',
        config: parentConfig,
        sweepId,
      });
      enqueue(parent, false);
      parentRunId = parent.id;
    }
    const fullConfig: RunConfig = parentRunId && kind !== 'train' ? { ...config, parentRunId } : config;
    const run = store.runs.create({ name: runName, kind, config: fullConfig, sweepId });
    const jobId = enqueue(run, false);
    return { runId: run.id, jobId };
  }

  return {
    async 'runs.start'({ name, config }) {
      return startRun(name, config);
    },

    async 'runs.sweep'(request) {
      const dataset = requireDataset(request.datasetId);
      const plan = expandSweep(request);
      ctx.jobs.ensureRoom(plan.parents.length + plan.children.length, 'this sweep');
      const sweep = store.sweeps.create({
        name: request.name ?? `sweep · ${dataset.name}`,
        datasetId: dataset.id,
        request,
      });
      const runIds: string[] = [];
      const parentIds: string[] = [];
      for (const parent of plan.parents) {
        const run = store.runs.create({
          name: parent.name,
          kind: 'train',
          config: parent.config,
          sweepId: sweep.id,
        });
        enqueue(run, false);
        parentIds.push(run.id);
        runIds.push(run.id);
      }
      for (const child of plan.children) {
        const parentRunId = parentIds[child.parentIndex];
        if (!parentRunId) throw new Error('sweep plan points at a missing parent');
        const run = store.runs.create({
          name: child.name,
          kind: 'prune',
          config: { ...child.config, parentRunId },
          sweepId: sweep.id,
        });
        enqueue(run, false);
        runIds.push(run.id);
      }
      return { sweepId: sweep.id, runIds };
    },

    async 'runs.list'(filter) {
      const clean = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      return store.runs.list(clean);
    },

    async 'runs.get'({ id }) {
      const detail = store.runDetail(id);
      if (!detail) throw notFound('run', id);
      return detail;
    },

    async 'runs.compare'({ ids }) {
      const runs = ids.map((id) => {
        const detail = store.runDetail(id);
        if (!detail) throw notFound('run', id);
        return detail;
      });
      return { runs, differences: diffConfigs(runs.map((r) => r.config)) };
    },

    async 'runs.cancel'({ id }) {
      const run = requireRun(ctx, id);
      const jobId = ctx.jobs.jobOfRun(id);
      if (jobId && ctx.jobs.cancel(jobId)) return { cancelled: true };
      if (run.status !== 'queued' && run.status !== 'running')
        throw conflict(`run ${id} is already ${run.status}`);
      return cancelElsewhere(ctx, run);
    },

    async 'runs.resume'({ id }) {
      const run = requireRun(ctx, id);
      if (ctx.jobs.jobOfRun(id)) throw conflict(`run ${id} is already ${run.status}`);
      const resumable = ['interrupted', 'failed', 'cancelled', 'queued'];
      if (!resumable.includes(run.status))
        throw conflict(`run ${id} is ${run.status}; only stopped runs resume`);
      ctx.jobs.ensureRoom(1, 'resuming this run');
      // Takes the run's owner lease, or refuses (CONFLICT) while another live process holds it — a run
      // queued by a CLI sweep stays that sweep's, and of two processes resuming at once only one wins.
      store.runs.setStatus(id, 'queued', { error: null });
      // The task continues from the newest checkpoint on disk (a fresh start if there is none) and
      // re-records every epoch from there; re-recording replaces values, so nothing is truncated here —
      // the store's checkpoint note may lag the disk by one flush, and metrics must not be lost for it.
      let jobId: string;
      try {
        jobId = submitRunJob(ctx, { ...run, status: 'queued' }, true);
      } catch (err) {
        // Not queued after all (e.g. its parent cannot run): give the lease back, keep it resumable.
        store.runs.setStatus(id, run.status === 'queued' ? 'interrupted' : run.status, { error: run.error });
        throw err;
      }
      return { runId: id, jobId };
    },

    async 'runs.delete'({ id }) {
      const run = requireRun(ctx, id);
      if (ctx.jobs.jobOfRun(id) || run.status === 'running') {
        throw conflict(`run ${id} is ${run.status}; cancel it before deleting`);
      }
      const exporting = ctx.jobs.list().find((j) => j.runId === id);
      if (exporting) throw conflict(`run ${id} is being exported; wait for the export or cancel it first`);
      const owner = store.runs.foreignOwner(id);
      if (owner) throw conflict(`run ${id} is ${run.status} in another PruneLab process (pid ${owner.pid})`);
      store.runs.remove(id);
      await rm(dataLayout.runDir(ctx.dataDir, id), { recursive: true, force: true });
      await rm(dataLayout.exportDir(ctx.dataDir, id), { recursive: true, force: true });
      return { deleted: true };
    },
  };
}
