// `prunelab prune --dataset <path|id> …`: trains the dense parent (or starts from --from <run id>), prunes
// it in a worker, fine-tunes, evaluates and prints the per-layer report.
import type { PruneSchedule, RunDetail } from '../../../shared/dto';
import { CliError, type CliCommand } from '../command';
import { call, ensureDataset, followJob, numberOption, percent } from '../session';
import { openCommandServices, queueOptionSpec, queueUsage } from '../coordinator';
import { requireDatasetFlag, trainConfigFromFlags, trainOptionSpec } from './trainOptions';

const usage =
  'prunelab prune --dataset <path|id> [--preset P] [--criterion taylor|gradient|magnitude|random] (--sparsity S | --threshold T) ' +
  '[--scope global|layer] [--schedule oneshot|iterative:K|gradual[:START-END/FREQ]] [--finetune-epochs E] [--structured] ' +
  `[--from <train run id>] [--epochs N] [--batch N] [--lr X] [--seed S] ${queueUsage} [--json]`;

export function parseSchedule(raw: string): PruneSchedule {
  if (raw === 'oneshot') return { kind: 'oneshot' };
  const iterative = /^iterative(?::(\d+))?$/.exec(raw);
  if (iterative) return { kind: 'iterative', rounds: Number(iterative[1] ?? 3) };
  const gradual = /^gradual(?::(\d+)-(\d+)\/(\d+))?$/.exec(raw);
  if (gradual) {
    // Without explicit steps: prune from the first step to step 200, every 20 steps (Zhu & Gupta's shape).
    return {
      kind: 'gradual',
      startStep: Number(gradual[1] ?? 0),
      endStep: Number(gradual[2] ?? 200),
      frequency: Number(gradual[3] ?? 20),
    };
  }
  throw new CliError(`--schedule must be oneshot, iterative:K or gradual[:START-END/FREQ], got "${raw}"`, {
    exitCode: 2,
    code: 'USAGE',
  });
}

/** Sparsity given as 0.8 or 80 (percent). */
export function parseSparsity(value: number): number {
  const fraction = value > 1 ? value / 100 : value;
  if (!(fraction >= 0 && fraction < 1))
    throw new CliError('--sparsity must be in [0, 1) or a percentage below 100', {
      exitCode: 2,
      code: 'USAGE',
    });
  return fraction;
}

interface PruneTaskResult {
  sparsity: number;
  revivedWeights: number;
  layers: { name: string; weights: number; kept: number; sparsity: number }[];
  prunedEvaluation?: { accuracy: number };
  prunedAccuracy?: number;
}

/** Accuracy right after pruning, before fine-tuning: the task's own figure if it gives one. */
function prunedAccuracyOf(result: PruneTaskResult, run: RunDetail): number | null {
  if (typeof result.prunedAccuracy === 'number') return result.prunedAccuracy;
  if (result.prunedEvaluation) return result.prunedEvaluation.accuracy;
  const series = run.metrics.find(
    (m) => m.phase === 'finetune' && m.name === 'accuracy' && m.split === 'test',
  );
  const at = series ? series.epochs.indexOf(0) : -1;
  return series && at >= 0 ? (series.values[at] ?? null) : null;
}

export const pruneCommand: CliCommand = {
  name: 'prune',
  summary: 'train (or reuse) a dense model, prune it by saliency, fine-tune and report per layer',
  usage,
  options: {
    ...trainOptionSpec,
    ...queueOptionSpec,
    name: { type: 'string' },
    criterion: { type: 'string' },
    sparsity: { type: 'string' },
    threshold: { type: 'string' },
    scope: { type: 'string' },
    schedule: { type: 'string' },
    'finetune-epochs': { type: 'string' },
    structured: { type: 'boolean', default: false },
    from: { type: 'string' },
  },
  async run({ values, dataDir, io }) {
    const sparsity = numberOption(values, 'sparsity');
    const threshold = numberOption(values, 'threshold');
    if (sparsity !== undefined && threshold !== undefined) {
      throw new CliError('give --sparsity or --threshold, not both', { exitCode: 2, code: 'USAGE' });
    }
    const finetuneEpochs = numberOption(values, 'finetune-epochs', 'int');
    const prune: Record<string, unknown> = {
      target:
        threshold !== undefined
          ? { kind: 'threshold', value: threshold }
          : { kind: 'sparsity', value: parseSparsity(sparsity ?? 0.8) },
      granularity: values.structured ? 'structured' : 'unstructured',
    };
    if (values.criterion !== undefined) prune.criterion = values.criterion;
    if (values.scope !== undefined) prune.scope = values.scope;
    if (values.schedule !== undefined) prune.schedule = parseSchedule(values.schedule as string);
    if (finetuneEpochs !== undefined) prune.finetuneEpochs = finetuneEpochs;
    const from = values.from as string | undefined;
    const opened = await openCommandServices(values, dataDir, io);
    const services = opened.services;
    try {
      let datasetId: string;
      let train = trainConfigFromFlags(values);
      if (from) {
        const parent = await call(services, 'runs.get', { id: from });
        datasetId = parent.datasetId;
        train = { ...parent.config.train, ...train };
      } else {
        datasetId = (await ensureDataset(services, requireDatasetFlag(values, usage), io)).id;
      }
      const { runId, jobId } = await call(services, 'runs.start', {
        ...(values.name ? { name: values.name as string } : {}),
        config: { datasetId, train, prune, ...(from ? { parentRunId: from } : {}) },
      });
      io.err(`prune: run ${runId} queued`);
      const result = (await followJob(services, jobId, io, 'prune')).result as PruneTaskResult;
      const run = await call(services, 'runs.get', { id: runId });
      const summary = {
        runId,
        parentRunId: run.parentRunId,
        datasetId,
        backend: run.backend?.name ?? null,
        criterion: run.config.prune?.criterion ?? null,
        denseAccuracy: run.denseEvaluation?.accuracy ?? null,
        prunedAccuracy: prunedAccuracyOf(result, run),
        accuracy: run.evaluation?.accuracy ?? null,
        sparsity: result.sparsity,
        revivedWeights: result.revivedWeights,
        layers: result.layers.map((l) => ({
          name: l.name,
          weights: l.weights,
          kept: l.kept,
          sparsity: l.sparsity,
        })),
      };
      printReport(run, summary, io.out);
      return summary;
    } finally {
      await opened.close();
    }
  },
};

function printReport(
  run: RunDetail,
  s: {
    denseAccuracy: number | null;
    prunedAccuracy: number | null;
    accuracy: number | null;
    sparsity: number;
    revivedWeights: number;
    layers: { name: string; weights: number; kept: number; sparsity: number }[];
  },
  out: (line: string) => void,
) {
  out(`Prune run ${run.name} (${run.id}) done — parent ${run.parentRunId ?? '—'}`);
  out(
    `  accuracy: dense ${percent(s.denseAccuracy)} → pruned ${percent(s.prunedAccuracy)} → fine-tuned ${percent(s.accuracy)}`,
  );
  out(`  sparsity ${percent(s.sparsity)} over prunable weights · revived weights ${s.revivedWeights}`);
  out('  layer                          weights       kept   sparsity');
  for (const l of s.layers) {
    out(
      `  ${l.name.padEnd(28)} ${String(l.weights).padStart(9)} ${String(l.kept).padStart(10)} ${percent(l.sparsity).padStart(10)}`,
    );
  }
}
