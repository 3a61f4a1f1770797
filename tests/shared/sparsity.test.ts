// Bug 5 of issue 11: "--sparsity 1.5" was read as 1.5 %. A sparsity is a fraction in [0, 1), or a
// percentage only with an explicit %; anything else is refused with the rule.
import { describe, expect, it } from 'vitest';
import { isSparsity, parseSparsityText, SPARSITY_RULE } from '../../src/shared/sparsity';

describe('reading a sparsity', () => {
  it('takes fractions in [0, 1) and explicit percentages below 100', () => {
    expect(parseSparsityText('0.9')).toEqual({ value: 0.9 });
    expect(parseSparsityText('.95')).toEqual({ value: 0.95 });
    expect(parseSparsityText('0')).toEqual({ value: 0 });
    expect(parseSparsityText(' 0.5 ')).toEqual({ value: 0.5 });
    expect(parseSparsityText('90%')).toEqual({ value: 0.9 });
    expect(parseSparsityText('97.5%')).toEqual({ value: 0.975 });
  });

  it('refuses anything else, saying the rule', () => {
    for (const text of ['1.5', '1', '90', '-0.2', '100%', '150%', 'abc', '', '0.9.1', '1e-1', '0x1']) {
      const parsed = parseSparsityText(text);
      expect(parsed, text).toHaveProperty('error');
      expect((parsed as { error: string }).error).toContain(SPARSITY_RULE);
    }
  });

  it('checks numbers the same way', () => {
    expect([0, 0.5, 0.999].map(isSparsity)).toEqual([true, true, true]);
    expect([1, 1.5, -0.1, Number.NaN, Infinity].map(isSparsity)).toEqual([false, false, false, false, false]);
  });
});
