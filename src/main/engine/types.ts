// Types shared by every part of the engine. Plain data only; tensors never leave the engine.
import type { BackendInfo, EvaluationReport, PruneStepReport, SensitivityCurve } from '../../shared/dto';

/**
 * A labelled set of images held as one contiguous uint8 buffer in NHWC order — never as JS number
 * arrays — so 100k images of 64×64×3 fit in memory. Batches become tensors one at a time.
 */
export interface ImageSet {
  readonly images: Uint8Array; // count · height · width · channels
  readonly labels: Uint16Array; // count
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface DatasetSplits {
  readonly classes: readonly string[];
  readonly train: ImageSet;
  readonly validation: ImageSet;
  readonly test: ImageSet;
}

/** What an engine task tells the job runner while it works; plain numbers and JSON only. */
export type TaskEvent =
  | { type: 'backend'; backend: BackendInfo }
  | { type: 'progress'; phase: string; done: number; total: number; message?: string }
  | {
      type: 'epoch';
      epoch: number;
      phase: 'train' | 'finetune';
      values: { split: 'train' | 'validation' | 'test'; name: string; value: number }[];
    }
  | { type: 'checkpoint'; epoch: number; phase: 'train' | 'finetune'; path: string }
  | { type: 'pruneStep'; report: PruneStepReport }
  | { type: 'evaluation'; which: 'dense' | 'final'; report: EvaluationReport }
  | { type: 'sensitivity'; curve: SensitivityCurve };

/** Everything a task gets from the job runner: a cancel signal, where to write, and where to report. */
export interface TaskContext {
  readonly signal: AbortSignal;
  /** The data directory: prunelab.db's folder, holding datasets/, runs/ and exports/. */
  readonly dataDir: string;
  emit(event: TaskEvent): void;
}

/** Where things live under the data directory — one place, so every process agrees. */
export const dataLayout = {
  datasetDir: (dataDir: string, datasetId: string) => `${dataDir}/datasets/${datasetId}`,
  runDir: (dataDir: string, runId: string) => `${dataDir}/runs/${runId}`,
  exportDir: (dataDir: string, runId: string) => `${dataDir}/exports/${runId}`,
  /** serve mode's upload sessions, one folder each (files/scratchNames: uploadSessionName) */
  uploadsDir: (dataDir: string) => `${dataDir}/uploads`,
};
