// The stages a job goes through, in words a person reads ("evaluating the dense model"), for every place
// that shows progress: the CLI's progress lines, the app's progress bars. Engine tasks name a stage by a
// short code (job.progress.phase); this is the one place that turns the code into words.
import type { Events } from './api';
import type { JobKind } from './dto';

const stageWords: Record<JobKind, Record<string, string>> = {
  import: {
    scan: 'finding the image files',
    decode: 'decoding the images',
    read: 'reading the files',
    resize: 'resizing the images',
    write: 'writing the dataset cache',
  },
  train: {
    train: 'training',
    evaluate: 'evaluating the trained model',
  },
  prune: {
    'evaluate-dense': 'evaluating the dense model',
    prune: 'pruning',
    finetune: 'fine-tuning the pruned model',
    evaluate: 'evaluating the pruned model',
  },
  sensitivity: {
    sensitivity: 'pruning each layer alone (sensitivity)',
  },
  export: {
    load: 'loading the model and the test images',
    write: 'writing the model files',
    sizes: 'measuring the sizes',
    parity: 'checking parity',
    finish: 'writing metadata.json',
  },
  'dataset-export': {
    write: 'writing the images as PNG files',
  },
};

/** A stage in words; an unknown code is shown as it is, with dashes as spaces. */
export function describeStage(kind: JobKind, phase: string): string {
  return stageWords[kind][phase] ?? phase.replace(/-/g, ' ');
}

type Progress = Pick<Events['job.progress'], 'kind' | 'phase' | 'done' | 'total' | 'message'>;

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * What a progress update says: the stage, then the task's own detail if it gives one ("epoch 2/5, batch
 * 3/10, loss 0.41"), else the count when there is more than one thing to do ("1,200/3,000"), or how many
 * so far when the total is not known yet ("4,800").
 */
export function describeProgress(p: Progress): string {
  const stage = describeStage(p.kind, p.phase);
  if (p.message) return `${stage}… ${p.message}`;
  if (p.total > 1) return `${stage}… ${count(p.done)}/${count(p.total)}`;
  if (p.total <= 0 && p.done > 0) return `${stage}… ${count(p.done)}`;
  return `${stage}…`;
}
