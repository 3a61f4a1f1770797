// What every handler group shares: the store, the job coordinator, the event bus and the data directory.
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
}
