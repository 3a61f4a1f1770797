// The schedule rule the New Run form reads (zod-free, for the renderer) says exactly what the API schema
// does: the same schedule for a config that names none, the same refusal in the same words.
import { describe, expect, it } from 'vitest';
import { pruneConfig } from '../../src/shared/schemas';
import {
  DEFAULT_CRITERION,
  CUT_RATE_SCALE,
  GRADUAL_RATE_SCALE,
  defaultLrScale,
  defaultLrSchedule,
  defaultScheduleKind,
  gradualProblem,
} from '../../src/shared/scheduleRule';

const cases = (['unstructured', 'structured'] as const).flatMap((granularity) =>
  (['sparsity', 'threshold'] as const).flatMap((kind) =>
    [0, 1, 3].map((finetuneEpochs) => ({
      granularity,
      target: kind === 'sparsity' ? { kind, value: 0.9 } : { kind, value: 0.01 },
      finetuneEpochs,
    })),
  ),
);

describe('scheduleRule', () => {
  it.each(cases)('agrees with the schema on %j', (settings) => {
    expect(pruneConfig.parse(settings).schedule.kind).toBe(defaultScheduleKind(settings));
    const refused = pruneConfig.safeParse({ ...settings, schedule: { kind: 'gradual' } });
    const scheduleIssues = refused.success
      ? []
      : refused.error.issues.filter((i) => i.path[0] === 'schedule').map((i) => i.message);
    const problem = gradualProblem(settings);
    expect(scheduleIssues).toEqual(problem ? [problem] : []);
  });

  it.each(cases)('agrees with the schema on the learning rate of %j', (settings) => {
    for (const value of [0.5, 0.9, 0.95, 0.98]) {
      const target =
        settings.target.kind === 'sparsity' ? { kind: 'sparsity' as const, value } : settings.target;
      const parsed = pruneConfig.parse({ ...settings, target });
      expect(parsed.finetuneLrSchedule).toBe(defaultLrSchedule({ schedule: parsed.schedule }));
      expect(parsed.finetuneLrScale).toBe(defaultLrScale({ schedule: parsed.schedule }));
    }
  });

  it('a gradual run starts high and decays; after a cut the rate is lower and holds', () => {
    expect(defaultLrSchedule({ schedule: { kind: 'gradual' } })).toBe('cosine');
    expect(defaultLrSchedule({ schedule: { kind: 'oneshot' } })).toBe('constant');
    expect(defaultLrSchedule({ schedule: { kind: 'iterative' } })).toBe('constant');
    expect(defaultLrScale({ schedule: { kind: 'gradual' } })).toBe(GRADUAL_RATE_SCALE);
    expect(defaultLrScale({ schedule: { kind: 'oneshot' } })).toBe(CUT_RATE_SCALE);
    expect(defaultLrScale({ schedule: { kind: 'iterative' } })).toBe(CUT_RATE_SCALE);
    expect(GRADUAL_RATE_SCALE).toBeGreaterThan(CUT_RATE_SCALE);
  });

  it('keeps a rate scale the config names, and refuses one that is not a positive number up to 100', () => {
    expect(pruneConfig.parse({ finetuneLrScale: 1 }).finetuneLrScale).toBe(1);
    expect(pruneConfig.parse({ finetuneLrScale: 0.5 }).finetuneLrScale).toBe(0.5);
    for (const bad of [0, -1, 101, Number.NaN, '3']) {
      const refused = pruneConfig.safeParse({ finetuneLrScale: bad });
      expect(refused.success).toBe(false);
      if (!refused.success) expect(refused.error.issues[0]!.path).toEqual(['finetuneLrScale']);
    }
  });

  it('the gradual schedule runs only unstructured, towards a sparsity, with fine-tune epochs', () => {
    const runs = cases.filter((c) => gradualProblem(c) === null);
    expect(runs.map((c) => [c.granularity, c.target.kind, c.finetuneEpochs])).toEqual([
      ['unstructured', 'sparsity', 1],
      ['unstructured', 'sparsity', 3],
    ]);
  });

  it('names the criterion an empty config gets', () => {
    expect(pruneConfig.parse({}).criterion).toBe(DEFAULT_CRITERION);
  });
});
