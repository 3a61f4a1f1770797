// `prunelab prune --sparsity`: a fraction in [0, 1) or an explicit percentage; anything else is a usage
// error (exit 2) naming the flag — never guessed (issue 11, bug 5).
import { describe, expect, it } from 'vitest';
import { pruneCommand, parseSparsity } from '../../src/main/cli/commands/prune';
import { runProgram, type ProgramIo } from '../../src/main/cli/program';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: ProgramIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTty: false,
    env: {},
    cwd: '/work',
    signal: new AbortController().signal,
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('prune --sparsity', () => {
  it.each(['1.5', '-0.2', '90', '100%', 'most'])('refuses %s with exit 2, naming the flag', async (raw) => {
    const c = capture();
    expect(await runProgram(['prune', `--sparsity=${raw}`, '--json'], [pruneCommand], c.io)).toBe(2);
    expect(c.err()).toContain(
      `--sparsity must be a fraction in [0, 1) such as 0.9, or a percentage with % such as 90%, got "${raw}"`,
    );
    expect(JSON.parse(c.out().trim().split('\n').at(-1)!).error.code).toBe('USAGE');
  });

  it('refuses "--sparsity -0.2" (read as a missing value) with exit 2, naming the flag', async () => {
    const c = capture();
    expect(await runProgram(['prune', '--sparsity', '-0.2'], [pruneCommand], c.io)).toBe(2);
    expect(c.err()).toContain("Option '--sparsity' argument is ambiguous");
  });

  it('accepts 90% and 0.9 alike (the next complaint is the missing dataset, not the sparsity)', async () => {
    for (const raw of ['90%', '0.9']) {
      const c = capture();
      expect(await runProgram(['prune', '--sparsity', raw], [pruneCommand], c.io)).toBe(2);
      expect(c.err()).not.toContain('--sparsity must');
      expect(c.err()).toContain('say what to prune');
    }
    expect(parseSparsity('90%')).toBeCloseTo(0.9, 12);
    expect(parseSparsity('0.9')).toBe(0.9);
  });
});
