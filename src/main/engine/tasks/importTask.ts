// The job worker's entry point for datasets.import: the import doctor, split and cache, all-or-nothing.
import type { DatasetDetail } from '../../../shared/dto';
import { importDataset, type ImportOptions } from '../data/importDataset';
import type { TaskContext } from '../types';

export async function importTask(
  input: { datasetId: string; options: ImportOptions },
  ctx: TaskContext,
): Promise<DatasetDetail> {
  return importDataset(input.datasetId, input.options, ctx);
}
