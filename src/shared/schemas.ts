// Schemas for every request payload. Handlers parse with these before touching anything (STYLE.md §3).
// Defaults live here, once: a client may send a partial config and the service receives a full one.
import { z } from 'zod';
import { criteria, defaultScoring, scoringProblem } from './criteria';
import {
  DEFAULT_CRITERION,
  defaultLrScale,
  defaultLrSchedule,
  defaultScheduleKind,
  gradualProblem,
} from './scheduleRule';

const MAX_PATH = 4096;

/** An absolute path on the machine that runs the services: no NUL, no `..` segments, bounded length. */
export const absolutePath = z
  .string()
  .min(1)
  .max(MAX_PATH)
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte')
  .refine(
    (p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'),
    'path must be absolute',
  )
  .refine((p) => !p.split(/[\\/]+/).includes('..'), 'path must not contain ".." segments');

export const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, "-" and "_"');

const name = z.string().trim().min(1).max(200);
const seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
const fraction = z.number().min(0).max(1);

export const presetName = z.enum(['keras-cifar-cnn', 'lenet5', 'vgg-bn']);
export const criterion = z.enum(['fisher', 'taylor', 'gradient', 'movement', 'magnitude', 'lamp', 'random']);
export const scoring = z.enum(['calibration', 'accumulated']);
export const lrSchedule = z.enum(['constant', 'cosine', 'step']);
export const resizeMode = z.enum(['crop', 'pad', 'stretch']);

export const trainConfig = z.strictObject({
  preset: presetName.default('keras-cifar-cnn'),
  epochs: z.number().int().min(1).max(1000).default(5),
  batchSize: z.number().int().min(1).max(4096).default(64),
  learningRate: z.number().positive().max(10).default(0.001),
  optimizer: z.enum(['adam', 'sgd']).default('adam'),
  momentum: z.number().min(0).max(0.999).default(0.9),
  augment: z
    .strictObject({
      flip: z.boolean().default(false),
      shiftPixels: z.number().int().min(0).max(8).default(0),
    })
    .default({ flip: false, shiftPixels: 0 }),
  earlyStoppingPatience: z.number().int().min(0).max(1000).default(0),
  seed: seed.default(42),
});

/** A sparsity: a fraction of the prunable weights in [0, 1) (shared/sparsity.ts reads typed text). */
const sparsityValue = z.number().min(0).lt(1);

export const pruneTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sparsity'), value: sparsityValue }),
  z.strictObject({ kind: z.literal('threshold'), value: z.number().min(0).finite() }),
]);

export const pruneSchedule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('oneshot') }),
  z.strictObject({ kind: z.literal('iterative'), rounds: z.number().int().min(1).max(100) }),
  // steps left out are chosen from the fine-tune budget when the run starts (engine/prune/schedules.ts)
  z.strictObject({
    kind: z.literal('gradual'),
    startStep: z.number().int().min(0).optional(),
    endStep: z.number().int().min(1).optional(),
    frequency: z.number().int().min(1).optional(),
  }),
]);

// 64 batches of 16 images: the kept set at 90% overlaps 0.83 across calibration seeds (0.62 with 8 × 64)
const calibrationBatches = z.number().int().min(1).max(1000).default(64);

const pruneConfigFields = z.strictObject({
  criterion: criterion.default(DEFAULT_CRITERION),
  // left out: accumulated where the schedule and criterion allow it, else calibration (defaultScoring)
  scoring: scoring.optional(),
  target: pruneTarget.default({ kind: 'sparsity', value: 0.8 }),
  // global (one ranking on per-layer-normalised scores, with a floor) beat per-layer on the prune bench
  scope: z.enum(['layer', 'global']).default('global'),
  minKeptFraction: fraction.default(0.01),
  // left out: gradual where it can run, else oneshot (defaultSchedule)
  schedule: pruneSchedule.optional(),
  granularity: z.enum(['unstructured', 'structured']).default('unstructured'),
  finetuneEpochs: z.number().int().min(0).max(1000).default(2),
  // left out: cosine after the last prune step for a gradual run, else constant (defaultLrSchedule)
  finetuneLrSchedule: lrSchedule.optional(),
  // × the training rate, within reason; left out: 5 for a gradual run, else 2 (defaultLrScale)
  finetuneLrScale: z.number().gt(0).max(100).optional(),
  calibrationBatches: calibrationBatches,
  pruneFirstLayer: z.boolean().default(true),
  pruneLastLayer: z.boolean().default(true),
});

type PruneConfigFields = z.infer<typeof pruneConfigFields>;

/** Every setting a prune config leaves out but the learning rate, resolved (scheduleRule.ts, criteria.ts). */
function withDefaults(config: PruneConfigFields) {
  // gradual (steps from the fine-tune budget) where it can run, else oneshot
  const schedule = config.schedule ?? { kind: defaultScheduleKind(config) };
  const scoring = config.scoring ?? defaultScoring(config.criterion, schedule.kind, config.granularity);
  return { ...config, schedule, scoring };
}

function checkPrune(config: ReturnType<typeof withDefaults>, ctx: z.RefinementCtx): void {
  const gradual = config.schedule.kind === 'gradual' ? gradualProblem(config) : null;
  if (gradual) ctx.addIssue({ code: 'custom', path: ['schedule'], message: gradual });
  const problem = scoringProblem(config.criterion, config.scoring, config.schedule.kind, config.granularity);
  if (problem) ctx.addIssue({ code: 'custom', path: ['scoring'], message: problem });
}

export const pruneConfig = pruneConfigFields
  .transform((config) => {
    const resolved = withDefaults(config);
    const finetuneLrSchedule = config.finetuneLrSchedule ?? defaultLrSchedule(resolved);
    const finetuneLrScale = config.finetuneLrScale ?? defaultLrScale(resolved);
    return { ...resolved, finetuneLrSchedule, finetuneLrScale };
  })
  .superRefine(checkPrune);

/**
 * A sweep's shared prune settings: as pruneConfig, but a learning-rate schedule or scale left out stays
 * out, so each cell gets the defaults for its own schedule (services/sweep.ts).
 */
export const sweepPruneConfig = pruneConfigFields.transform(withDefaults).superRefine(checkPrune);

export const sensitivityConfig = z.strictObject({
  criterion: criterion
    .refine((c) => criteria[c].scorings.includes('calibration'), {
      message: 'movement scores exist only accumulated while training; a sensitivity curve scores once',
    })
    .default('taylor'),
  sparsities: z
    .array(sparsityValue)
    .min(1)
    .max(100)
    .default(Array.from({ length: 20 }, (_, i) => i * 0.05)),
  validationSamples: z.number().int().min(1).max(100_000).default(1000),
  // the same default as a prune run's, so a curve scores weights exactly as that prune would
  calibrationBatches: calibrationBatches,
});

export const runConfig = z.strictObject({
  datasetId: id,
  train: trainConfig.default(trainConfig.parse({})),
  prune: pruneConfig.optional(),
  sensitivity: sensitivityConfig.optional(),
  parentRunId: id.optional(),
});

export const splitFractions = z
  .strictObject({ train: fraction, validation: fraction, test: fraction })
  .refine((s) => Math.abs(s.train + s.validation + s.test - 1) < 1e-6, 'split fractions must add up to 1')
  .refine((s) => s.train > 0, 'the train split cannot be empty');

export const importOptions = z.strictObject({
  path: absolutePath,
  name: name.optional(),
  /** square side in pixels; default 28 for 1-channel data, 32 for 3-channel */
  size: z.number().int().min(8).max(512).optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  resizeMode: resizeMode.default('crop'),
  split: splitFractions.default({ train: 0.8, validation: 0.1, test: 0.1 }),
  seed: seed.default(42),
  /** names for label numbers 0, 1, … of IDX and CIFAR sources (overrides a classes.txt beside the files) */
  classNames: z.array(name).min(2).max(1000).optional(),
  /**
   * When the same content is already imported: 'reuse' ends the import without a copy and names the
   * existing dataset (job.finished.duplicateOf); 'copy' keeps a second dataset anyway.
   */
  duplicate: z.enum(['reuse', 'copy']).default('reuse'),
});

const empty = z.strictObject({});

export const payloads = {
  'system.info': empty,
  'system.reveal': z.strictObject({ path: absolutePath }),
  'presets.list': z.strictObject({
    inputShape: z
      .tuple([
        z.number().int().min(8).max(512),
        z.number().int().min(8).max(512),
        z.number().int().min(1).max(4),
      ])
      .optional(),
    classes: z.number().int().min(2).max(1000).optional(),
  }),
  'datasets.import': importOptions,
  'datasets.list': empty,
  'datasets.get': z.strictObject({ id }),
  'datasets.rename': z.strictObject({ id, name }),
  /** A dataset some runs use is deleted only with deleteRuns: true — its runs go with it. */
  'datasets.delete': z.strictObject({ id, deleteRuns: z.boolean().default(false) }),
  'datasets.samples': z.strictObject({
    id,
    split: z.enum(['train', 'validation', 'test']).default('train'),
    /** explicit indices into the split (e.g. a confusion cell), or a class to page through */
    indices: z.array(z.number().int().min(0)).max(500).optional(),
    classIndex: z.number().int().min(0).optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(48),
  }),
  'datasets.exportImages': z.strictObject({ id, outDir: absolutePath }),
  'runs.start': z.strictObject({ name: name.optional(), config: runConfig }),
  'runs.sweep': z.strictObject({
    name: name.optional(),
    datasetId: id,
    train: trainConfig.default(trainConfig.parse({})),
    prune: sweepPruneConfig.default(sweepPruneConfig.parse({})),
    criteria: z.array(criterion).min(1).max(4),
    sparsities: z.array(sparsityValue).min(1).max(20),
    seeds: z.array(seed).min(1).max(10),
    schedules: z
      .array(pruneSchedule)
      .min(1)
      .max(5)
      .default([{ kind: 'oneshot' }]),
  }),
  'runs.list': z.strictObject({
    datasetId: id.optional(),
    criterion: criterion.optional(),
    status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']).optional(),
    kind: z.enum(['train', 'prune', 'sensitivity']).optional(),
    sweepId: id.optional(),
    limit: z.number().int().min(1).max(10_000).default(1000),
    offset: z.number().int().min(0).default(0),
  }),
  'runs.get': z.strictObject({ id }),
  'runs.compare': z.strictObject({ ids: z.array(id).min(2).max(10) }),
  'runs.cancel': z.strictObject({ id }),
  'runs.resume': z.strictObject({ id }),
  'runs.delete': z.strictObject({ id }),
  'exports.create': z.strictObject({
    runId: id,
    format: z.enum(['tfjs', 'onnx']).default('tfjs'),
    encoding: z.enum(['float32', 'float16', 'uint8']).default('float32'),
    /** default: <dataDir>/exports/<runId>/<format>-<encoding> */
    outDir: absolutePath.optional(),
    zip: z.boolean().default(false),
    /** replace an earlier PruneLab export at outDir (never anything else); the default folder always may */
    overwrite: z.boolean().default(false),
  }),
  'exports.list': z.strictObject({ runId: id }),
  'jobs.list': empty,
  'jobs.cancel': z.strictObject({ jobId: id }),
  'jobs.queue': empty,
  'settings.get': empty,
  'settings.set': z.strictObject({
    theme: z.enum(['system', 'light', 'dark']).optional(),
    jobConcurrency: z.number().int().min(1).max(8).optional(),
    recentDatasets: z.array(absolutePath).max(9).optional(),
    queueUrl: z
      .string()
      .max(2048)
      .regex(/^rediss?:\/\/[^\s]+$/, 'a queue URL starts with redis:// or rediss://')
      .nullable()
      .optional(),
  }),
} as const;

export type PayloadSchemas = typeof payloads;
