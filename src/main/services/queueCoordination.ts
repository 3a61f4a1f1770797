// The services as a queue's coordinator: the queue runner in place of local worker processes, the access
// the server gives `prunelab worker`s, and — at start — the runs the previous start left on the queue,
// resumed so a restarted coordinator picks its sweep up again (workers still holding jobs carry on).
import type { Result } from '../../shared/errors';
import type { QueueStatus } from '../../shared/dto';
import { loadQueueIdentity, queueNameOf } from '../jobs/queue/identity';
import {
  createQueueJobRunner,
  createRemoteTraffic,
  workerCommandLine,
  type QueueJobRunner,
  type RemoteAccess,
} from '../jobs/queue/queueRunner';
import { parseQueueUrl } from '../jobs/queue/redisUrl';
import { createJobRunner, type JobRunner, type JobRunnerOptions } from '../jobs/runner';
import type { Store } from '../store';

export interface QueueCoordination {
  createRunner(options: JobRunnerOptions): JobRunner;
  /** Settles once Redis answers (rejects with why it does not). */
  ready(): Promise<void>;
  readonly access: RemoteAccess;
  /** The Redis URL, password masked. */
  readonly display: string;
  status(): Promise<QueueStatus>;
  /** Where workers reach this coordinator, once its server listens (for the UI's worker line). */
  announce(origin: string): void;
  /** Resumes the runs the last start left unfinished on the queue (dense parents first); returns their ids. */
  resumeUnfinished(
    store: Store,
    dispatch: (name: string, payload: unknown) => Promise<Result<unknown>>,
  ): Promise<string[]>;
}

export const localQueueStatus: QueueStatus = {
  enabled: false,
  url: null,
  depth: null,
  workers: [],
  problem: null,
};

export function prepareQueueCoordination(options: {
  dataDir: string;
  url: string;
  version: string;
  log?: (line: string) => void;
  connectTimeoutMs?: number;
}): QueueCoordination {
  const { connection, display } = parseQueueUrl(options.url);
  const identity = loadQueueIdentity(options.dataDir);
  let runner: QueueJobRunner | null = null;
  let origin: string | null = null;
  const need = (): QueueJobRunner => {
    if (!runner) throw new Error('the queue runner is made with the job coordinator');
    return runner;
  };
  const access: RemoteAccess = {
    get endpoint() {
      return need().endpoint;
    },
    workerToken: identity.workerToken,
    queueDisplay: display,
    version: options.version,
    traffic: createRemoteTraffic(),
  };
  return {
    access,
    display,
    createRunner(base) {
      runner = createQueueJobRunner({
        dataDir: base.dataDir,
        connection,
        queueName: queueNameOf(identity.coordinatorId),
        coordinatorId: identity.coordinatorId,
        displayUrl: display,
        createLocal: (observer) => createJobRunner({ ...base, observer }),
        ...(base.observer ? { observer: base.observer } : {}),
        ...(options.log ? { log: options.log } : {}),
        ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      });
      return runner;
    },
    ready: () => need().ready,
    async status() {
      const status = await need().status();
      return { ...status, workerCommand: origin ? workerCommandLine(access, origin) : null };
    },
    announce(next) {
      origin = next;
    },
    async resumeUnfinished(store, dispatch) {
      const ids = await need().takeUnfinishedRuns();
      const runs = ids
        .map((id) => store.runs.get(id))
        .filter((run) => run !== null && run.status !== 'done' && run.status !== 'running')
        .sort((a, b) => Number(a!.kind !== 'train') - Number(b!.kind !== 'train'));
      const resumed: string[] = [];
      for (const run of runs) {
        const answer = await dispatch('runs.resume', { id: run!.id });
        if (answer.ok) resumed.push(run!.id);
        else options.log?.(`queue: could not resume run ${run!.id}: ${answer.error.message}`);
      }
      return resumed;
    },
  };
}
