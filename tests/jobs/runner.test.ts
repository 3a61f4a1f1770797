import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createForkLauncher } from '../../src/main/jobs/launcher';
import { createJobRunner, type JobRunner, type JobSpec } from '../../src/main/jobs/runner';
import type { TaskName } from '../../src/main/jobs/protocol';
import type { TaskEvent } from '../../src/main/engine/types';

const entry = fileURLToPath(new URL('./fixtures/testWorker.ts', import.meta.url));
const launcher = createForkLauncher({ entry });

function job(id: string, task: string, input: unknown, extra: Partial<JobSpec> = {}): JobSpec {
  // The fixture's task names are not engine tasks; the runner passes them through unchanged.
  return { id, kind: 'train', task: task as TaskName, input, runId: null, datasetId: null, ...extra };
}

let runner: JobRunner | null = null;
afterEach(async () => {
  await runner?.close();
  runner = null;
});

describe('job runner', () => {
  it('runs a job in another process and relays its progress', async () => {
    const events: TaskEvent[] = [];
    runner = createJobRunner({ launcher, dataDir: '/tmp', observer: { event: (_j, e) => events.push(e) } });
    const outcome = await runner.submit(job('a', 'count', { n: 3, delayMs: 5 }));
    expect(outcome.status).toBe('done');
    const result = (outcome as { result: { counted: number; pid: number } }).result;
    expect(result.counted).toBe(3);
    expect(result.pid).not.toBe(process.pid);
    expect(events.map((e) => (e.type === 'progress' ? e.done : -1))).toEqual([1, 2, 3]);
  });

  it('runs one job at a time by default and queues the rest in order', async () => {
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    runner = createJobRunner({
      launcher,
      dataDir: '/tmp',
      observer: {
        started: (j) => {
          order.push(j.id);
          maxRunning = Math.max(maxRunning, ++running);
        },
        finished: () => running--,
      },
    });
    const outcomes = await Promise.all(
      ['j1', 'j2', 'j3'].map((id) => runner!.submit(job(id, 'count', { n: 2, delayMs: 10 }))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done', 'done']);
    expect(order).toEqual(['j1', 'j2', 'j3']);
    expect(maxRunning).toBe(1);
  });

  it('runs up to the configured concurrency at once', async () => {
    let running = 0;
    let maxRunning = 0;
    runner = createJobRunner({
      launcher,
      dataDir: '/tmp',
      concurrency: 2,
      observer: { started: () => (maxRunning = Math.max(maxRunning, ++running)), finished: () => running-- },
    });
    const queuedSnapshot: string[][] = [];
    const all = ['c1', 'c2', 'c3'].map((id) => runner!.submit(job(id, 'count', { n: 5, delayMs: 40 })));
    queuedSnapshot.push(runner.list().map((j) => `${j.id}:${j.status}`));
    await Promise.all(all);
    expect(queuedSnapshot[0]).toEqual(['c1:running', 'c2:running', 'c3:queued']);
    expect(maxRunning).toBe(2);
  });

  it('starts a dependent job only after its dependency is done, and drops it when that fails', async () => {
    const order: string[] = [];
    runner = createJobRunner({
      launcher,
      dataDir: '/tmp',
      concurrency: 2,
      observer: { started: (j) => order.push(j.id) },
    });
    const parent = runner.submit(job('parent', 'count', { n: 2, delayMs: 20 }));
    const child = runner.submit(job('child', 'count', { n: 1, delayMs: 1 }, { after: ['parent'] }));
    const bad = runner.submit(job('bad', 'fail', {}));
    const orphan = runner.submit(job('orphan', 'count', { n: 1, delayMs: 1 }, { after: ['bad'] }));
    expect((await parent).status).toBe('done');
    expect((await child).status).toBe('done');
    expect((await bad).status).toBe('failed');
    const orphanOutcome = await orphan;
    expect(orphanOutcome).toEqual({
      status: 'failed',
      crashed: false,
      error: { name: 'DependencyFailed', message: 'it waited for job bad, which ended failed' },
    });
    expect(order.indexOf('child')).toBeGreaterThan(order.indexOf('parent'));
    // A dependency that was cancelled cancels its dependents.
    const slow = runner.submit(job('slow', 'count', { n: 1000, delayMs: 10 }));
    const waiting = runner.submit(job('waiting', 'count', { n: 1, delayMs: 1 }, { after: ['slow'] }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    runner.cancel('slow');
    expect((await slow).status).toBe('cancelled');
    expect(await waiting).toEqual({
      status: 'cancelled',
      forced: false,
      reason: 'it waited for job slow, which ended cancelled',
    });
    expect(order).not.toContain('orphan');
  });

  it('forgets ended jobs once nothing waits for them (a long session does not grow)', async () => {
    const local = createJobRunner({ launcher, dataDir: '/tmp', concurrency: 1 });
    runner = local;
    const parent = local.submit(job('p', 'count', { n: 1, delayMs: 5 }));
    const children = ['c1', 'c2'].map((id) =>
      local.submit(job(id, 'count', { n: 1, delayMs: 5 }, { after: ['p'] })),
    );
    expect((await parent).status).toBe('done');
    // The parent's outcome is still needed while its children wait in the queue…
    expect(local.retained().ended).toBeGreaterThanOrEqual(1);
    expect((await Promise.all(children)).map((o) => o.status)).toEqual(['done', 'done']);
    // …and nothing is kept once every job has ended.
    expect(local.retained()).toEqual({ live: 0, ended: 0 });
  });

  it('keeps the error name and code a task throws', async () => {
    runner = createJobRunner({ launcher, dataDir: '/tmp' });
    const outcome = await runner.submit(job('f', 'fail', {}));
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.crashed).toBe(false);
    expect(outcome.error.code).toBe('PARITY_FAILED');
    expect(outcome.error.message).toContain('predicts differently');
  });

  it('reports an unknown task as a failure, not a hang', async () => {
    runner = createJobRunner({ launcher, dataDir: '/tmp' });
    const outcome = await runner.submit(job('u', 'noSuchTask', {}));
    expect(outcome.status).toBe('failed');
    if (outcome.status === 'failed') expect(outcome.error.message).toContain('unknown task "noSuchTask"');
  });

  it('cancels gracefully through the abort signal when the task honours it', async () => {
    const progress: number[] = [];
    runner = createJobRunner({
      launcher,
      dataDir: '/tmp',
      observer: {
        event: (j, e) => {
          if (e.type !== 'progress') return;
          progress.push(e.done);
          if (e.done === 2) runner!.cancel(j.id);
        },
      },
    });
    const outcome = await runner.submit(job('g', 'count', { n: 1000, delayMs: 10 }));
    expect(outcome).toEqual({ status: 'cancelled', forced: false });
    expect(progress.length).toBeLessThan(10);
  });

  it('kills a worker that ignores cancel once the grace period is over', async () => {
    runner = createJobRunner({
      launcher,
      dataDir: '/tmp',
      cancelGraceMs: 300,
      observer: { event: (j) => runner!.cancel(j.id) },
    });
    const started = Date.now();
    const outcome = await runner.submit(job('s', 'ignoreCancel', { ms: 60_000 }));
    expect(outcome).toEqual({ status: 'cancelled', forced: true });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('cancels a queued job without ever starting it', async () => {
    const started: string[] = [];
    runner = createJobRunner({ launcher, dataDir: '/tmp', observer: { started: (j) => started.push(j.id) } });
    const first = runner.submit(job('q1', 'count', { n: 2, delayMs: 10 }));
    const second = runner.submit(job('q2', 'count', { n: 2, delayMs: 10 }));
    expect(runner.cancel('q2')).toBe(true);
    expect(runner.cancel('q2')).toBe(false);
    expect(await second).toEqual({ status: 'cancelled', forced: false });
    expect((await first).status).toBe('done');
    expect(started).toEqual(['q1']);
  });

  it('marks a job whose worker dies as failed with the reason', async () => {
    runner = createJobRunner({ launcher, dataDir: '/tmp' });
    const outcome = await runner.submit(job('c', 'crash', { after: 2 }));
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.crashed).toBe(true);
    expect(outcome.error.message).toContain('exited with code 7');
    expect(outcome.error.message).toContain('native code exploded');
    // The queue keeps working after a crash.
    expect((await runner.submit(job('after-crash', 'count', { n: 1, delayMs: 1 }))).status).toBe('done');
  });

  it('closes by killing running workers and cancelling queued jobs', async () => {
    const local = createJobRunner({ launcher, dataDir: '/tmp', observer: { event: () => void 0 } });
    const running = local.submit(job('r', 'ignoreCancel', { ms: 60_000 }));
    const queued = local.submit(job('q', 'count', { n: 1, delayMs: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await local.close();
    expect((await running).status).toBe('cancelled');
    expect((await queued).status).toBe('cancelled');
  });
});
