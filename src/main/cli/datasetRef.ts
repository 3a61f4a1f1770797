// A dataset named on the command line by its id or by its (unique) name.
import type { DatasetSummary } from '../../shared/dto';
import type { AppServices } from '../services';
import { CliError } from './command';

export function resolveDataset(services: AppServices, ref: string): DatasetSummary {
  const found = services.store.datasets.get(ref) ?? services.store.datasets.nameTaken(ref);
  if (!found)
    throw new CliError(
      `no dataset with id or name "${ref}"; \`prunelab datasets list\` shows the imported datasets`,
      { code: 'NOT_FOUND' },
    );
  return found;
}
