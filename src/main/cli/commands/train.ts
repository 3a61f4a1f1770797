// `prunelab train --dataset <path|id|name>`: imports the dataset if given a path, trains a dense model in a
// worker process, evaluates it on the test split; the run lands in the shared store.
import type { RunDetail } from '../../../shared/dto';
import type { AppServices } from '../../services';
import type { CliCommand, CliIo, OptionValues } from '../command';
import { withFlags } from '../flags';
import { call, ensureDataset, followJob, percent } from '../session';
import { openCommandServices, queueOptionSpec, queueUsage } from '../coordinator';
import { requireDatasetFlag, trainConfigFromFlags, trainFlags, trainOptionSpec } from './trainOptions';

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'train a dense CNN on a dataset (a path to import, or an imported dataset’s id or name)',
  usage:
    'prunelab train --dataset <path|id|name> [--preset keras-cifar-cnn|lenet5|vgg-bn] [--epochs N] [--batch N] [--lr X] [--optimizer adam|sgd] [--seed S] [--name N] ' +
    `${queueUsage} [--json]`,
  options: { ...trainOptionSpec, ...queueOptionSpec, name: { type: 'string' } },
  async run({ values, dataDir, io }) {
    const datasetArg = requireDatasetFlag(values, trainCommand.usage);
    const train = trainConfigFromFlags(values);
    const opened = await openCommandServices(values, dataDir, io);
    const services = opened.services;
    try {
      return await withFlags(trainFlags, values, () => runTrain(services, values, datasetArg, train, io));
    } finally {
      await opened.close();
    }
  },
};

async function runTrain(
  services: AppServices,
  values: OptionValues,
  datasetArg: string,
  train: Record<string, unknown>,
  io: CliIo,
): Promise<Record<string, unknown>> {
  const dataset = await ensureDataset(services, datasetArg, io);
  const { runId, jobId } = await call(services, 'runs.start', {
    ...(values.name ? { name: values.name as string } : {}),
    config: { datasetId: dataset.id, train },
  });
  io.err(`train: run ${runId} queued`);
  const result = await followJob(services, jobId, io, 'train');
  const run = await call(services, 'runs.get', { id: runId });
  const epochs =
    (result.result as { epochsCompleted?: number } | null)?.epochsCompleted ?? run.config.train.epochs;
  printRun(run, epochs, io.out);
  return {
    runId,
    datasetId: dataset.id,
    backend: run.backend?.name ?? null,
    backendReason: run.backend?.reason ?? null,
    preset: run.config.train.preset,
    epochs,
    testAccuracy: run.evaluation?.accuracy ?? null,
    testLoss: run.evaluation?.loss ?? null,
    macroF1: run.evaluation?.macroF1 ?? null,
  };
}

function printRun(run: RunDetail, epochs: number, out: (line: string) => void) {
  out(`Run ${run.name} (${run.id}) done`);
  out(`  backend: ${run.backend?.reason ?? 'unknown'}`);
  out(
    `  ${run.config.train.preset}, ${epochs} epochs, batch ${run.config.train.batchSize}, seed ${run.seed}`,
  );
  if (run.evaluation) {
    out(
      `  test accuracy ${percent(run.evaluation.accuracy)} · loss ${run.evaluation.loss.toFixed(4)} · macro-F1 ${percent(run.evaluation.macroF1)}`,
    );
  }
}
