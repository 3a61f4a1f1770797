// What a transport needs from the services: the one validated entry point and the event stream
// (BRIEF: transports call only `dispatch` and `subscribe`). Structural, so tests pass a small fake.
import type { Subscribe } from '../../shared/api';
import type { Result } from '../../shared/errors';
import type { RemoteAccess } from '../jobs/queue/queueRunner';

export interface ServedApi {
  dispatch(name: string, rawPayload: unknown): Promise<Result<unknown>>;
  subscribe: Subscribe;
  /** Present when these services coordinate a queue: the routes `prunelab worker`s use. */
  remote?: RemoteAccess | null;
}
