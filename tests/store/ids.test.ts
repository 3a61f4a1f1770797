import { describe, expect, it } from 'vitest';
import { id as idSchema } from '../../src/shared/schemas';
import { randomId, sequentialIds } from '../../src/main/store';

describe('ids', () => {
  it('random ids are short, distinct and valid for the shared id schema', () => {
    const ids = Array.from({ length: 2000 }, randomId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toHaveLength(12);
      expect(idSchema.safeParse(id).success).toBe(true);
      // a leading "-" would read as an option on the command line
      expect(id).toMatch(/^[A-Za-z0-9]/);
    }
  });

  it('sequential ids are predictable (for tests) and valid too', () => {
    const next = sequentialIds('run');
    expect([next(), next(), next()]).toEqual(['run-1', 'run-2', 'run-3']);
    expect(idSchema.safeParse('run-1').success).toBe(true);
  });
});
