// The defaults a prune run gets when it names none are the validation winners (prune/README): taylor
// scores accumulated over a gradual schedule — where it can run — and a fine-tune that starts at 5× the
// training rate and decays after the last prune step; after a one-shot or iterative cut, 2× held.
import { describe, expect, it } from 'vitest';
import { pruneConfig } from '../../src/shared/schemas';

const issuesOf = (input: unknown) => {
  const r = pruneConfig.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('prune defaults', () => {
  it('an empty config is taylor, accumulated, gradual with steps from the budget, cosine learning rate', () => {
    expect(pruneConfig.parse({})).toMatchObject({
      criterion: 'taylor',
      scoring: 'accumulated',
      schedule: { kind: 'gradual' },
      target: { kind: 'sparsity', value: 0.8 },
      finetuneLrSchedule: 'cosine',
      finetuneLrScale: 5,
      scope: 'global',
      pruneFirstLayer: true,
      pruneLastLayer: true,
    });
    expect(pruneConfig.parse({}).schedule).toEqual({ kind: 'gradual' });
  });

  it('falls back to oneshot where gradual cannot run, and scores on calibration batches there', () => {
    const structured = pruneConfig.parse({ granularity: 'structured' });
    expect([structured.schedule, structured.scoring]).toEqual([{ kind: 'oneshot' }, 'calibration']);
    const threshold = pruneConfig.parse({ target: { kind: 'threshold', value: 0.01 } });
    expect([threshold.schedule, threshold.scoring]).toEqual([{ kind: 'oneshot' }, 'calibration']);
    const noFinetune = pruneConfig.parse({ finetuneEpochs: 0 });
    expect([noFinetune.schedule, noFinetune.scoring]).toEqual([{ kind: 'oneshot' }, 'calibration']);
  });

  it('a named schedule or criterion picks the scoring that fits it', () => {
    expect(pruneConfig.parse({ schedule: { kind: 'oneshot' } }).scoring).toBe('calibration');
    expect(pruneConfig.parse({ schedule: { kind: 'iterative', rounds: 3 } }).scoring).toBe('calibration');
    expect(pruneConfig.parse({ criterion: 'magnitude' }).scoring).toBe('calibration');
    expect(pruneConfig.parse({ criterion: 'fisher' }).scoring).toBe('accumulated');
    expect(pruneConfig.parse({ criterion: 'movement' }).scoring).toBe('accumulated');
  });

  it('the fine-tune rate of a gradual run starts at 5× the training rate and decays; after a cut 2×, held', () => {
    const parse = (input: object) => pruneConfig.parse(input);
    const lr = (input: object) => parse(input).finetuneLrSchedule;
    for (const value of [0.5, 0.9, 0.95, 0.98]) {
      expect(lr({ target: { kind: 'sparsity', value } })).toBe('cosine');
      expect(parse({ target: { kind: 'sparsity', value } }).finetuneLrScale).toBe(5);
    }
    expect(lr({ schedule: { kind: 'oneshot' } })).toBe('constant');
    expect(lr({ schedule: { kind: 'iterative', rounds: 3 } })).toBe('constant');
    expect(lr({ granularity: 'structured' })).toBe('constant');
    expect(lr({ target: { kind: 'threshold', value: 0.01 } })).toBe('constant');
    expect(lr({ finetuneEpochs: 0 })).toBe('constant');
    expect(parse({ schedule: { kind: 'oneshot' } }).finetuneLrScale).toBe(2);
    expect(parse({ granularity: 'structured' }).finetuneLrScale).toBe(2);
    expect(parse({ schedule: { kind: 'oneshot' }, finetuneLrScale: 0.5 }).finetuneLrScale).toBe(0.5);
    expect(lr({ target: { kind: 'sparsity', value: 0.98 }, finetuneLrSchedule: 'constant' })).toBe(
      'constant',
    );
  });

  it('an explicit choice is kept', () => {
    const c = pruneConfig.parse({ scoring: 'calibration', finetuneLrSchedule: 'cosine' });
    expect([c.scoring, c.finetuneLrSchedule, c.schedule.kind]).toEqual(['calibration', 'cosine', 'gradual']);
  });

  it('refuses a gradual schedule it cannot run, naming the schedule', () => {
    expect(issuesOf({ granularity: 'structured', schedule: { kind: 'gradual' } })).toEqual([
      'schedule: structured pruning runs oneshot or iterative, not gradual',
    ]);
    expect(issuesOf({ finetuneEpochs: 0, schedule: { kind: 'gradual' } })).toEqual([
      'schedule: the gradual schedule prunes while fine-tuning: set at least 1 fine-tune epoch',
    ]);
    expect(issuesOf({ schedule: { kind: 'gradual' }, target: { kind: 'threshold', value: 1 } })).toEqual([
      'schedule: the gradual schedule needs a target sparsity, not a threshold',
    ]);
    expect(issuesOf({ criterion: 'movement', schedule: { kind: 'oneshot' } })[0]).toMatch(
      /^scoring: accumulated scores are gathered while training/,
    );
  });

  it('a sparsity target is a fraction in [0, 1)', () => {
    expect(issuesOf({ target: { kind: 'sparsity', value: 0.95 } })).toEqual([]);
    expect(issuesOf({ target: { kind: 'sparsity', value: 0 } })).toEqual([]);
    for (const value of [1, 1.5, 90, -0.2])
      expect(issuesOf({ target: { kind: 'sparsity', value } })).toHaveLength(1);
  });
});
