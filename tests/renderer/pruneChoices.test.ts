// The New Run form's schedule to send: left out when automatic, gradual with only the steps typed in.
import { describe, expect, it } from 'vitest';
import { namedSchedule, scheduleToSend, type PruneChoices } from '../../src/renderer/lib/pruneChoices';

const base: PruneChoices = {
  criterion: 'taylor',
  granularity: 'unstructured',
  targetKind: 'sparsity',
  finetuneEpochs: 2,
  schedule: 'automatic',
  scoring: 'automatic',
};
const empty = { startStep: '', endStep: '', frequency: '' };

describe('scheduleToSend', () => {
  it('leaves an automatic schedule to the server unless gradual steps were typed in', () => {
    expect(scheduleToSend(base, 3, empty)).toBeUndefined();
    expect(scheduleToSend(base, 3, { ...empty, startStep: 0, frequency: 10 })).toEqual({
      kind: 'gradual',
      startStep: 0,
      frequency: 10,
    });
    // automatic is one-shot for structured pruning: steps typed for gradual do not apply
    const structured = { ...base, granularity: 'structured' } as const;
    expect(scheduleToSend(structured, 3, { ...empty, endStep: 100 })).toBeUndefined();
    expect(namedSchedule(structured, 3, empty)).toEqual({ kind: 'oneshot' });
    expect(namedSchedule(base, 3, empty)).toEqual({ kind: 'gradual' });
  });

  it('sends an explicit schedule with its own settings', () => {
    expect(scheduleToSend({ ...base, schedule: 'iterative' }, 4, { ...empty, endStep: 9 })).toEqual({
      kind: 'iterative',
      rounds: 4,
    });
    expect(scheduleToSend({ ...base, schedule: 'oneshot' }, 4, empty)).toEqual({ kind: 'oneshot' });
    expect(scheduleToSend({ ...base, schedule: 'gradual' }, 4, empty)).toEqual({ kind: 'gradual' });
  });
});
