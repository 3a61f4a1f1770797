// What a transport needs from the services: the one validated entry point and the event stream
// (transports call only `dispatch` and `subscribe`), plus — because a download is bytes, not a JSON
// answer — the export zip. Structural, so tests pass a small fake.
import type { Subscribe } from '../../shared/api';
import type { Result } from '../../shared/errors';
import type { RemoteAccess } from '../jobs/queue/queueRunner';

export interface ServedApi {
  dispatch(name: string, rawPayload: unknown): Promise<Result<unknown>>;
  subscribe: Subscribe;
  /** Validates the id and builds the zip of one of PruneLab's own exports (services/exportDownload.ts). */
  exportDownload?(artifactId: unknown): Promise<Result<{ fileName: string; bytes: Uint8Array }>>;
  /** Present when these services coordinate a queue: the routes `prunelab worker`s use. */
  remote?: RemoteAccess | null;
}
