// The training flags train, prune and demo share, turned into a partial TrainConfig (the schema fills in
// the rest).
import type { OptionSpec, OptionValues } from '../command';
import { trainConfig } from '../../../shared/schemas';
import { checkFlags, numberOption, requireFlag, type FlagMap } from '../flags';

export const trainOptionSpec: OptionSpec = {
  dataset: { type: 'string' },
  preset: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  seed: { type: 'string' },
};

export function trainConfigFromFlags(values: OptionValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (values.preset !== undefined) config.preset = values.preset;
  if (values.optimizer !== undefined) config.optimizer = values.optimizer;
  const epochs = numberOption(values, 'epochs', 'int');
  const batch = numberOption(values, 'batch', 'int');
  const lr = numberOption(values, 'lr');
  const seed = numberOption(values, 'seed', 'int');
  if (epochs !== undefined) config.epochs = epochs;
  if (batch !== undefined) config.batchSize = batch;
  if (lr !== undefined) config.learningRate = lr;
  if (seed !== undefined) config.seed = seed;
  // Refused values are reported now, before a dataset is imported for a run that cannot start.
  checkFlags(trainConfig, config, 'config.train', trainFlags, values);
  return config;
}

export function requireDatasetFlag(values: OptionValues, usage: string): string {
  return requireFlag(values, 'dataset', '<path, id or name>', usage);
}

/** The train config's fields, by the flag that sets them (for the API's validation errors). */
export const trainFlags: FlagMap = {
  datasetId: 'dataset',
  'config.datasetId': 'dataset',
  'config.train.preset': 'preset',
  'config.train.epochs': 'epochs',
  'config.train.batchSize': 'batch',
  'config.train.learningRate': 'lr',
  'config.train.optimizer': 'optimizer',
  'config.train.seed': 'seed',
  name: 'name',
};
