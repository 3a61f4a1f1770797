// `prunelab prune --dataset <path|id|name> …`: trains the dense parent (or starts from --from <run id>), prunes
// it in a worker, fine-tunes, evaluates and prints the per-layer report.
import type { PruneSchedule, RunDetail } from '../../../shared/dto';
import { criterionNames } from '../../../shared/criteria';
import { lrSchedule as lrScheduleSchema, scoring as scoringSchema } from '../../../shared/schemas';
import { CUT_RATE_SCALE, GRADUAL_RATE_SCALE } from '../../../shared/scheduleRule';
import { parseSparsityText, SPARSITY_RULE } from '../../../shared/sparsity';
import type { AppServices } from '../../services';
import type { CliCommand, CliIo, OptionValues } from '../command';
import { openCommandServices, queueOptionSpec, queueUsage } from '../coordinator';
import { choiceOption, flagError, numberOption, usageError, withFlags, type FlagMap } from '../flags';
import { call, ensureDataset, followJob, percent } from '../session';
import { requireDatasetFlag, trainConfigFromFlags, trainFlags, trainOptionSpec } from './trainOptions';

const scopeChoices = ['global', 'layer'] as const;

const usage =
  'prunelab prune (--dataset <path|id|name> | --from <train run id>) (--sparsity S | --threshold T) [--preset P] ' +
  `[--criterion ${criterionNames.join('|')}] [--scoring calibration|accumulated] [--scope global|layer] ` +
  '[--schedule oneshot|iterative:K|gradual[:START-END/FREQ]] [--finetune-epochs E] ' +
  '[--finetune-lr-schedule constant|cosine|step] [--finetune-lr-scale X] [--structured] ' +
  `[--epochs N] [--batch N] [--lr X] [--seed S] [--name N] ${queueUsage} [--json]\n` +
  `  --sparsity is ${SPARSITY_RULE}\n` +
  `  --finetune-lr-scale: the fine-tune starts at X × the training rate (--lr); default ${GRADUAL_RATE_SCALE} for a gradual schedule, else ${CUT_RATE_SCALE}`;

/** The prune request's fields, by the flag that sets them (for the API's validation errors). */
const pruneFlags: FlagMap = {
  ...trainFlags,
  'config.prune.criterion': 'criterion',
  'config.prune.scoring': 'scoring',
  'config.prune.scope': 'scope',
  'config.prune.schedule': 'schedule',
  'config.prune.finetuneEpochs': 'finetune-epochs',
  'config.prune.finetuneLrSchedule': 'finetune-lr-schedule',
  'config.prune.finetuneLrScale': 'finetune-lr-scale',
  'config.prune.target': ['sparsity', 'threshold'],
  'config.parentRunId': 'from',
  id: 'from',
};

export function parseSchedule(raw: string): PruneSchedule {
  if (raw === 'oneshot') return { kind: 'oneshot' };
  const iterative = /^iterative(?::(\d+))?$/.exec(raw);
  if (iterative) return { kind: 'iterative', rounds: Number(iterative[1] ?? 3) };
  // without explicit steps the engine places them in the fine-tune budget (engine/prune/schedules.ts)
  if (raw === 'gradual') return { kind: 'gradual' };
  const gradual = /^gradual:(\d+)-(\d+)\/(\d+)$/.exec(raw);
  if (gradual) {
    return {
      kind: 'gradual',
      startStep: Number(gradual[1]),
      endStep: Number(gradual[2]),
      frequency: Number(gradual[3]),
    };
  }
  throw flagError('schedule', 'oneshot, iterative:K, gradual, or gradual:START-END/FREQ (steps)', raw);
}

/** --sparsity as typed: a fraction in [0, 1), or a percentage only with an explicit % (shared/sparsity.ts). */
export function parseSparsity(raw: unknown): number {
  const parsed = typeof raw === 'string' ? parseSparsityText(raw) : { error: '' };
  if ('error' in parsed) throw flagError('sparsity', SPARSITY_RULE, raw);
  return parsed.value;
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
    scoring: { type: 'string' },
    'finetune-lr-schedule': { type: 'string' },
    'finetune-lr-scale': { type: 'string' },
    structured: { type: 'boolean', default: false },
    from: { type: 'string' },
  },
  async run({ values, dataDir, io }) {
    const sparsity = values.sparsity === undefined ? undefined : parseSparsity(values.sparsity);
    const threshold = numberOption(values, 'threshold');
    if (sparsity !== undefined && threshold !== undefined)
      throw usageError('give --sparsity or --threshold, not both', usage);
    if (sparsity === undefined && threshold === undefined)
      throw usageError(
        'say how much to prune: --sparsity S (the fraction of weights to zero) or --threshold T (a saliency cut-off)',
        usage,
      );
    const from = values.from as string | undefined;
    if (from !== undefined && values.dataset !== undefined)
      throw usageError(
        'give --dataset or --from, not both (a run pruned --from a trained run uses its dataset)',
        usage,
      );
    if (from === undefined && values.dataset === undefined)
      throw usageError(
        'say what to prune: --dataset <path|id|name> to train a dense model first, or --from <train run id>',
        usage,
      );
    choiceOption(values, 'criterion', criterionNames);
    choiceOption(values, 'scope', scopeChoices);
    choiceOption(values, 'scoring', scoringSchema.options);
    choiceOption(values, 'finetune-lr-schedule', lrScheduleSchema.options);
    const finetuneEpochs = numberOption(values, 'finetune-epochs', 'int');
    const finetuneLrScale = numberOption(values, 'finetune-lr-scale');
    const prune: Record<string, unknown> = {
      target:
        threshold !== undefined
          ? { kind: 'threshold', value: threshold }
          : { kind: 'sparsity', value: sparsity },
      granularity: values.structured ? 'structured' : 'unstructured',
    };
    if (values.criterion !== undefined) prune.criterion = values.criterion;
    if (values.scope !== undefined) prune.scope = values.scope;
    if (values.scoring !== undefined) prune.scoring = values.scoring;
    if (values['finetune-lr-schedule'] !== undefined)
      prune.finetuneLrSchedule = values['finetune-lr-schedule'];
    if (values.schedule !== undefined) prune.schedule = parseSchedule(values.schedule as string);
    if (finetuneEpochs !== undefined) prune.finetuneEpochs = finetuneEpochs;
    if (finetuneLrScale !== undefined) prune.finetuneLrScale = finetuneLrScale;
    const opened = await openCommandServices(values, dataDir, io);
    const services = opened.services;
    try {
      return await withFlags(pruneFlags, values, () => runPrune(services, values, io, prune, from));
    } finally {
      await opened.close();
    }
  },
};

async function runPrune(
  services: AppServices,
  values: OptionValues,
  io: CliIo,
  prune: Record<string, unknown>,
  from: string | undefined,
): Promise<Record<string, unknown>> {
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
}

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
