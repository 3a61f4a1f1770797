// Plain data that crosses process boundaries: JSON-safe (no class instances, no tensors, no Dates —
// timestamps are ISO strings; bitmaps are base64 strings so every transport carries them unchanged).

// ── Engine and system ─────────────────────────────────────────────────────────────────────────────

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  threads: number;
  /** Why this backend, in words a user reads, e.g. "tfjs-node not installed: using wasm, 2 threads". */
  reason: string;
  /** The `prunelab worker` that ran it ("host (pid …)"); absent when it ran on this machine. */
  worker?: string;
}

export interface SystemInfo {
  appVersion: string;
  mode: 'electron' | 'serve' | 'cli';
  dataDir: string;
  backend: BackendInfo;
  /** Pieces that could not be loaded on this machine, each with what it costs the user. */
  missing: { piece: string; effect: string }[];
  /** Absolute path of the bundled sample dataset on the serving machine, if it ships (the UI offers it on first run). */
  sampleDatasetPath?: string | null;
}

export type PresetName = 'keras-cifar-cnn' | 'lenet5' | 'vgg-bn';

export interface PresetInfo {
  name: PresetName;
  description: string;
  parameters: number;
  flopsPerImage: number;
}

// ── Datasets ──────────────────────────────────────────────────────────────────────────────────────

export type DatasetKind = 'folder' | 'idx' | 'cifar';
export type ResizeMode = 'crop' | 'pad' | 'stretch';

export type ProblemReason =
  | 'unreadable'
  | 'empty-file'
  | 'corrupt'
  | 'not-an-image'
  | 'unsupported-format'
  | 'too-many-pixels'
  | 'too-large'
  | 'too-small'
  | 'duplicate'
  | 'label-conflict'
  | 'symlink-loop'
  | 'too-deep';

export interface ImportProblem {
  /** Path relative to the dataset root. */
  path: string;
  reason: ProblemReason;
  detail?: string;
}

export interface ClassCount {
  name: string;
  count: number;
  train: number;
  validation: number;
  test: number;
}

/** Where a dataset was imported from: a path on the serving machine, or a folder uploaded from a browser. */
export type DatasetOrigin = 'path' | 'upload';

export type SplitName = 'train' | 'validation' | 'test';

export interface DatasetSummary {
  id: string;
  /** Unique among datasets (case-insensitively); renamable. */
  name: string;
  /**
   * The path imported. For an upload it is the uploaded copy under the data directory, which is removed
   * once the import has read it: the dataset lives on in its cache (see `origin`).
   */
  sourcePath: string;
  origin: DatasetOrigin;
  kind: DatasetKind;
  /**
   * sha256 of what training reads (the cached pixels, labels and split, the shape and class names): two
   * imports with the same hash are the same dataset. Null for datasets imported before it was recorded,
   * until an import compares against them.
   */
  contentHash: string | null;
  /** How many runs (any kind, any status) train or prune on this dataset. */
  runCount: number;
  createdAt: string;
  classes: ClassCount[];
  imported: number;
  skipped: number;
  /** [height, width, channels] */
  inputShape: [number, number, number];
  resizeMode: ResizeMode;
  /** How many source images had each channel layout, e.g. { gray: 10, rgb: 280, rgba: 3, cmyk: 1 }. */
  channelMix: Record<string, number>;
  sizeStats: {
    minWidth: number;
    maxWidth: number;
    minHeight: number;
    maxHeight: number;
    meanWidth: number;
    meanHeight: number;
  };
  split: {
    train: number;
    validation: number;
    test: number;
    seed: number;
    /** Some split came from the source itself: split folders, or IDX / CIFAR train and test files. */
    fromFolders: boolean;
    /** Which splits the source gave (the rest were carved from train with `seed`); absent in old records. */
    given?: SplitName[];
  };
  warnings: string[];
}

export interface DatasetDetail extends DatasetSummary {
  problems: ImportProblem[];
}

export interface DatasetSample {
  index: number;
  split: 'train' | 'validation' | 'test';
  label: number;
  /** data:image/png;base64,… */
  dataUrl: string;
}

// ── Runs ──────────────────────────────────────────────────────────────────────────────────────────

export type RunKind = 'train' | 'prune' | 'sensitivity';
export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
export type OptimizerName = 'adam' | 'sgd';
export type Criterion = 'fisher' | 'taylor' | 'gradient' | 'movement' | 'magnitude' | 'lamp' | 'random';
/**
 * How a gradient criterion gets its ∂L/∂w: once on calibration batches at each prune step, or accumulated
 * over the training steps between prune steps (gradual schedule). See shared/criteria.ts.
 */
export type Scoring = 'calibration' | 'accumulated';
export type Scope = 'layer' | 'global';
export type Granularity = 'unstructured' | 'structured';
/** How the learning rate changes over a training call (see engine/train/lrSchedule.ts). */
export type LrSchedule = 'constant' | 'cosine' | 'step';

export interface TrainConfig {
  preset: PresetName;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** sgd only */
  momentum: number;
  augment: { flip: boolean; shiftPixels: number };
  /** Early stopping on validation loss; 0 = off. */
  earlyStoppingPatience: number;
  seed: number;
}

export type PruneTarget = { kind: 'sparsity'; value: number } | { kind: 'threshold'; value: number };

export type PruneSchedule =
  | { kind: 'oneshot' }
  | { kind: 'iterative'; rounds: number }
  /** steps left out are chosen from the fine-tune budget when the run starts */
  | { kind: 'gradual'; startStep?: number; endStep?: number; frequency?: number };

export interface PruneConfig {
  criterion: Criterion;
  scoring: Scoring;
  target: PruneTarget;
  scope: Scope;
  /** global scope: every layer keeps at least this fraction of its weights */
  minKeptFraction: number;
  schedule: PruneSchedule;
  granularity: Granularity;
  finetuneEpochs: number;
  /** the learning rate over each fine-tune (per round for iterative, over all of it for gradual) */
  finetuneLrSchedule: LrSchedule;
  /**
   * the fine-tune's starting learning rate as a multiple of the training rate (train.learningRate);
   * absent in runs stored before it was a setting, which fine-tuned at the training rate (1)
   */
  finetuneLrScale?: number;
  calibrationBatches: number;
  pruneFirstLayer: boolean;
  pruneLastLayer: boolean;
}

export interface SensitivityConfig {
  criterion: Criterion;
  /** e.g. [0, 0.05, …, 0.95] */
  sparsities: number[];
  validationSamples: number;
  /** calibration batches of 16 images the scores are measured on (as PruneConfig.calibrationBatches) */
  calibrationBatches: number;
}

export interface RunConfig {
  datasetId: string;
  train: TrainConfig;
  prune?: PruneConfig;
  sensitivity?: SensitivityConfig;
  /** A prune or sensitivity run starts from its parent's final (dense) weights. */
  parentRunId?: string;
}

export interface MetricBest {
  value: number;
  epoch: number;
}

export interface RunSummary {
  id: string;
  name: string;
  kind: RunKind;
  status: RunStatus;
  datasetId: string;
  datasetName: string;
  config: RunConfig;
  seed: number;
  backend: BackendInfo | null;
  parentRunId: string | null;
  sweepId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** e.g. { 'validation.accuracy': { value: 0.91, epoch: 7 } } — key is `${split}.${name}` */
  best: Record<string, MetricBest>;
  final: Record<string, number>;
  /** achieved sparsity over prunable weights (prune runs) */
  sparsity: number | null;
  testAccuracy: number | null;
  /** gzip bytes of the smallest export, if any */
  exportGzipBytes: number | null;
  /** Which export `exportGzipBytes` measures (the run may have several). */
  smallestExport: { artifactId: string; format: ExportFormat; encoding: WeightEncoding | null } | null;
}

export type MetricSplit = 'train' | 'validation' | 'test';

export interface MetricSeries {
  name: string;
  split: MetricSplit;
  /** 'train' = dense training, 'finetune' = after pruning */
  phase: 'train' | 'finetune';
  epochs: number[];
  values: number[];
}

export interface ScoreHistogram {
  min: number;
  max: number;
  /** 32 bins */
  counts: number[];
}

export interface MaskBitmap {
  /** output units */
  rows: number;
  /** inputs · kh · kw, in (input, kh, kw) order: one input's kernel positions side by side */
  cols: number;
  /** rows·cols bits, row-major, most significant bit first, 1 = kept; base64 */
  bitsBase64: string;
  /** [kh, kw] of a convolution (absent for dense layers and for masks recorded before it was kept) */
  kernel?: [number, number];
}

export interface LayerPruneReport {
  name: string;
  weights: number;
  kept: number;
  sparsity: number;
  threshold: number;
  histogram: ScoreHistogram;
  mask: MaskBitmap;
}

export interface ModelTotals {
  parameters: number;
  nonzeroParameters: number;
  prunableWeights: number;
  keptPrunableWeights: number;
  denseFlops: number;
  effectiveFlops: number;
  compressionRatio: number;
  /** structured steps: inference time before and after, measured alike (engine/prune/latency.ts) */
  latency?: LatencyComparison;
}

export interface LatencyComparison {
  /** timed calls per model and batch size (after the same warm-up, interleaved) */
  runs: number;
  /** median milliseconds per batch */
  byBatch: { batchSize: number; beforeMs: number; afterMs: number }[];
}

/** The model right after a prune step, before any further training, measured on one split. */
export interface AfterPruneMeasure {
  split: 'train' | 'validation' | 'test';
  /** images evaluated */
  images: number;
  accuracy: number;
  loss: number;
}

export interface PruneStepReport {
  step: number;
  /** training step (batch index) at which the prune happened */
  atStep: number;
  /**
   * Fine-tune epochs completed when the prune happened: 0 for one-shot, (round − 1) × fine-tune epochs
   * for iterative, fractional for gradual (it prunes between batches). Absent in older records.
   */
  atEpoch?: number;
  /** accuracy and loss right after this prune, before fine-tuning repairs it (absent in older records) */
  afterPrune?: AfterPruneMeasure;
  /** this step's target: a fraction of prunable weights (unstructured) or of ranked units (structured) */
  targetSparsity: number;
  /** weight sparsity reached: the fraction of prunable weights that are zero (or removed) */
  achievedSparsity: number;
  /**
   * structured only — the unit sparsity reached, which the target is a fraction of: filters/units
   * removed over the units of the layers ranked (the logits layer never loses units)
   */
  units?: { total: number; removed: number; sparsity: number };
  layers: LayerPruneReport[];
  totals: ModelTotals;
}

export interface PerClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface WrongPrediction {
  /** index into the evaluated split (EvaluationReport.split, normally test) */
  index: number;
  label: number;
  predicted: number;
  confidence: number;
}

export interface EvaluationReport {
  loss: number;
  accuracy: number;
  macroF1: number;
  balancedAccuracy: number;
  perClass: PerClassMetrics[];
  /** confusion[trueClass][predictedClass] */
  confusion: number[][];
  mostConfidentlyWrong: WrongPrediction[];
  /**
   * Predicted class of every evaluated image, in split order (lets the UI list exactly a confusion cell's
   * images). Absent for evaluations recorded before it existed and for sets of more than
   * MAX_RECORDED_PREDICTIONS (100,000) images, where the UI falls back to mostConfidentlyWrong.
   */
  predictions?: number[];
  /** True class of every evaluated image, in the same order; present exactly when predictions is. */
  labels?: number[];
  /**
   * The split that was evaluated, which predictions/labels and mostConfidentlyWrong index into: 'test',
   * unless the dataset has no test images (a train run then evaluates on validation, else train).
   * Absent = 'test'.
   */
  split?: 'train' | 'validation' | 'test';
}

export interface SensitivityCurve {
  layer: string;
  sparsities: number[];
  accuracies: number[];
  losses: number[];
}

export interface RunDetail extends RunSummary {
  metrics: MetricSeries[];
  pruneSteps: PruneStepReport[];
  /** dense model evaluated on the test split before pruning (prune runs) */
  denseEvaluation: EvaluationReport | null;
  evaluation: EvaluationReport | null;
  sensitivity: SensitivityCurve[];
  artifacts: ArtifactSummary[];
  classes: string[];
}

export interface ConfigDifference {
  /** dotted path, e.g. 'prune.criterion' */
  path: string;
  /** one value per compared run, in request order; JSON-encoded for display */
  values: string[];
}

export interface CompareResult {
  runs: RunDetail[];
  differences: ConfigDifference[];
}

export interface SweepRequestResult {
  sweepId: string;
  runIds: string[];
}

// ── Export ────────────────────────────────────────────────────────────────────────────────────────

export type ExportFormat = 'tfjs' | 'onnx';
export type WeightEncoding = 'float32' | 'float16' | 'uint8';

export interface SizeFigures {
  rawBytes: number;
  gzipBytes: number;
  sparseGzipBytes: number;
  parameters: number;
  nonzeroParameters: number;
}

export interface SizeTable {
  export: SizeFigures;
  dense: SizeFigures;
  /** dense ÷ export */
  ratios: { raw: number; gzip: number; sparseGzip: number };
}

export interface ParityResult {
  ok: boolean;
  runtime: 'tfjs' | 'onnxruntime';
  images: number;
  top1Agreement: number;
  maxAbsLogitDelta: number;
  message?: string;
}

export interface ArtifactSummary {
  id: string;
  runId: string;
  format: ExportFormat | 'dataset-png';
  encoding: WeightEncoding | null;
  path: string;
  zipPath: string | null;
  bytes: number;
  gzipBytes: number;
  sha256: string;
  createdAt: string;
  sizes: SizeTable | null;
  parity: ParityResult | null;
}

// ── Jobs and settings ─────────────────────────────────────────────────────────────────────────────

export type JobKind = 'import' | 'train' | 'prune' | 'sensitivity' | 'export' | 'dataset-export';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobSummary {
  id: string;
  kind: JobKind;
  status: JobStatus;
  runId: string | null;
  datasetId: string | null;
  phase: string;
  done: number;
  total: number;
  startedAt: string | null;
  /**
   * Where the job runs: absent on this machine; with a queue, null while it waits on the queue (or
   * between workers), else the worker holding it ("host (pid …)").
   */
  worker?: string | null;
}

/** A `prunelab worker` that reported to this coordinator. */
export interface QueueWorker {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  /** Jobs it holds now. */
  running: number;
  lastSeen: string;
}

/** The distributed queue, as the jobs view shows it (jobs.queue). */
export interface QueueStatus {
  /** false: jobs run in local worker processes (no --queue, no queue setting). */
  enabled: boolean;
  /** The Redis URL, password masked. */
  url: string | null;
  /** Jobs on the queue not yet taken, being worked on, and held back; null when Redis does not answer. */
  depth: { waiting: number; active: number; delayed: number } | null;
  /** Workers seen in the last minute. */
  workers: QueueWorker[];
  /** Why depth is missing, in words. */
  problem: string | null;
  /** The line that starts a worker for this coordinator (token included), once it serves HTTP. */
  workerCommand?: string | null;
}

export type Theme = 'system' | 'light' | 'dark';

export interface Settings {
  theme: Theme;
  jobConcurrency: number;
  recentDatasets: string[];
  /** redis://… of a BullMQ queue that `prunelab worker`s take jobs from; used from the next start. */
  queueUrl: string | null;
}
