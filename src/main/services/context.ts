// What every handler group shares: the store, the job coordinator, the event bus and the data directory.
import type { QueueStatus } from '../../shared/dto';
import type { Store } from '../store';
import type { EventBus } from './events';
import type { JobCoordinator } from './jobCoordinator';

export interface ServiceContext {
  store: Store;
  jobs: JobCoordinator;
  bus: EventBus;
  dataDir: string;
  mode: 'electron' | 'serve' | 'cli';
  appVersion: string;
  /** The distributed queue's depth and workers (a fixed 'local' answer without one). */
  queueStatus(): Promise<QueueStatus>;
}
