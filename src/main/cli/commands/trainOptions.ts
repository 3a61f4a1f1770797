// The training flags train, prune and demo share, turned into a partial TrainConfig (the schema fills in
// the rest).
import type { OptionSpec, OptionValues } from '../command';
import { CliError } from '../command';
import { numberOption } from '../session';

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
  return config;
}

export function requireDatasetFlag(values: OptionValues, usage: string): string {
  const dataset = values.dataset;
  if (typeof dataset !== 'string' || dataset.trim() === '') {
    throw new CliError(`--dataset <path or id> is required\nUsage: ${usage}`, { exitCode: 2, code: 'USAGE' });
  }
  return dataset;
}
