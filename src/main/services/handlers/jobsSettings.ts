// jobs.list / jobs.cancel and settings.get / settings.set (concurrency applies to the queue at once).
import type { Handlers } from '../../../shared/api';
import type { ServiceContext } from '../context';
import { notFound } from '../errors';

type JobAndSettingsHandlers = Pick<
  Handlers,
  'jobs.list' | 'jobs.cancel' | 'jobs.queue' | 'settings.get' | 'settings.set'
>;

export function createJobAndSettingsHandlers(ctx: ServiceContext): JobAndSettingsHandlers {
  return {
    async 'jobs.list'() {
      return ctx.jobs.list();
    },
    async 'jobs.cancel'({ jobId }) {
      if (!ctx.jobs.cancel(jobId)) throw notFound('running or queued job', jobId);
      return { cancelled: true };
    },
    async 'jobs.queue'() {
      return ctx.queueStatus();
    },
    async 'settings.get'() {
      return ctx.store.settings.get();
    },
    async 'settings.set'(patch) {
      const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const settings = ctx.store.settings.update(clean);
      if (patch.jobConcurrency !== undefined) ctx.jobs.setConcurrency(settings.jobConcurrency);
      return settings;
    },
  };
}
