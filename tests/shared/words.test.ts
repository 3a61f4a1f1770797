// The words the app and the CLI share: stages, splits, sources, exports and parity, and what a refused
// field allows.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeSource, describeSplit } from '../../src/shared/datasetWords';
import type { DatasetSummary } from '../../src/shared/dto';
import { describeExport, describeParity, parityRule } from '../../src/shared/exportWords';
import { payloads } from '../../src/shared/schemas';
import { describeProgress, describeStage } from '../../src/shared/stages';
import { describeAllowed, toValidationIssue } from '../../src/shared/validation';

describe('stages', () => {
  it('names every stage the engine reports in words, and an unknown one as it is', () => {
    expect(describeStage('prune', 'evaluate-dense')).toBe('evaluating the dense model');
    expect(describeStage('prune', 'finetune')).toBe('fine-tuning the pruned model');
    expect(describeStage('import', 'decode')).toBe('decoding the images');
    expect(describeStage('export', 'parity')).toBe('checking parity');
    expect(describeStage('train', 'warm-up')).toBe('warm up');
  });

  it('adds the task’s own detail, else a count when there is more than one thing to do', () => {
    const p = { kind: 'train' as const, phase: 'train', done: 3, total: 40 };
    expect(describeProgress({ ...p, message: 'epoch 1/5, batch 3/8, loss 0.5' })).toBe(
      'training… epoch 1/5, batch 3/8, loss 0.5',
    );
    expect(describeProgress({ ...p, kind: 'import', phase: 'decode', done: 1200, total: 3000 })).toBe(
      'decoding the images… 1,200/3,000',
    );
    expect(describeProgress({ kind: 'prune', phase: 'evaluate-dense', done: 0, total: 1 })).toBe(
      'evaluating the dense model…',
    );
    expect(describeProgress({ kind: 'import', phase: 'scan', done: 4800, total: 0 })).toBe(
      'finding the image files… 4,800',
    );
  });
});

const split = (s: Partial<DatasetSummary['split']>): DatasetSummary['split'] => ({
  train: 80,
  validation: 10,
  test: 10,
  seed: 7,
  fromFolders: false,
  ...s,
});

describe('describeSplit', () => {
  it('says which splits the source gave and which were carved, and with what seed', () => {
    expect(describeSplit({ kind: 'folder', split: split({}) })).toBe('seeded, stratified (seed 7)');
    expect(
      describeSplit({
        kind: 'folder',
        split: split({ fromFolders: true, given: ['train', 'validation', 'test'] }),
      }),
    ).toBe('from the split folders');
    expect(
      describeSplit({ kind: 'folder', split: split({ fromFolders: true, given: ['train', 'test'] }) }),
    ).toBe('train and test from the split folders · validation carved from train (seed 7)');
    expect(
      describeSplit({ kind: 'idx', split: split({ fromFolders: true, given: ['train', 'test'] }) }),
    ).toBe('official test split (the t10k files) · validation carved from train (seed 7)');
    expect(
      describeSplit({ kind: 'cifar', split: split({ fromFolders: true, given: ['train', 'test'] }) }),
    ).toBe('official test split (test_batch.bin) · validation carved from train (seed 7)');
    expect(describeSplit({ kind: 'idx', split: split({ fromFolders: true, given: ['train'] }) })).toBe(
      'train files only · validation and test carved from train (seed 7)',
    );
  });

  it('reads records from before `given` existed by what their kind could hold', () => {
    expect(describeSplit({ kind: 'idx', split: split({ fromFolders: true }) })).toBe(
      'official test split (the t10k files) · validation carved from train (seed 7)',
    );
    expect(describeSplit({ kind: 'folder', split: split({ fromFolders: true }) })).toBe(
      'from the split folders',
    );
  });
});

describe('describeSource', () => {
  it('is the path for a path, and says an upload’s copy is gone', () => {
    expect(describeSource({ origin: 'path', sourcePath: '/data/cats' })).toBe('/data/cats');
    expect(
      describeSource({ origin: 'upload', sourcePath: '/d/uploads/s/0123456789abcdef0123456789abcdef' }),
    ).toBe(
      'uploaded from a browser (files); the uploaded copy was removed after import — the dataset lives in its cache',
    );
  });
});

describe('exports and parity', () => {
  it('names an export by format and encoding', () => {
    expect(describeExport({ format: 'onnx', encoding: 'uint8' })).toBe('ONNX uint8');
    expect(describeExport({ format: 'tfjs', encoding: 'float32' })).toBe('TF.js float32');
    expect(describeExport({ format: 'dataset-png', encoding: null })).toBe('PNG images');
  });

  it('states the rule each encoding is held to, with its threshold', () => {
    expect(parityRule('uint8')).toBe('top-1 agreement of at least 90% (quantized logits move by design)');
    expect(parityRule('float32')).toBe("identical top-1 and every logit within 0.0001 of the app's");
    const p = { ok: false, runtime: 'tfjs' as const, images: 500, top1Agreement: 0.862, maxAbsLogitDelta: 2 };
    expect(describeParity(p, 'float16')).toBe(
      'FAILED — top-1 agreement 86.2% on 500 images in tfjs (needs ≥ 90%)',
    );
  });
});

describe('what a refused field allows', () => {
  const issue = (payload: unknown) => {
    const parsed = payloads['runs.start'].safeParse(payload);
    if (parsed.success) throw new Error('accepted');
    return parsed.error.issues[0]!;
  };

  it('lists the choices, states bounds and types in words', () => {
    expect(describeAllowed(issue({ config: { datasetId: 'd', prune: { criterion: 'foo' } } }))).toBe(
      'one of fisher, taylor, gradient, movement, magnitude, lamp, random',
    );
    expect(describeAllowed(issue({ config: { datasetId: 'd', train: { epochs: 0 } } }))).toBe('at least 1');
    expect(describeAllowed(issue({ config: { datasetId: 'd', train: { epochs: 2.5 } } }))).toBe(
      'a whole number',
    );
    expect(describeAllowed(issue({ config: { datasetId: 'd', train: { learningRate: 0 } } }))).toBe(
      'greater than 0',
    );
    expect(describeAllowed(issue({ config: { datasetId: 'd', surprise: 1 } }))).toBe('without "surprise"');
    const name = z.string().min(3).safeParse('ab');
    expect(describeAllowed(name.error!.issues[0]!)).toBe('at least 3 characters');
  });

  it('keeps the schema’s own message where it says more than a bound', () => {
    expect(toValidationIssue(issue({ config: { datasetId: 'a b' } }))).toEqual({
      path: 'config.datasetId',
      message: 'ids are letters, digits, "-" and "_"',
    });
    expect(toValidationIssue(issue({ config: { datasetId: 'd', train: { epochs: 0 } } }))).toEqual({
      path: 'config.train.epochs',
      message: 'must be at least 1',
      allowed: 'at least 1',
    });
  });
});
