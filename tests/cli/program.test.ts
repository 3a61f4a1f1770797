import { describe, expect, it } from 'vitest';
import { runProgram, type ProgramIo } from '../../src/main/cli/program';
import { CliError, type CliCommand } from '../../src/main/cli/command';

function capture(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ProgramIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTty: false,
    env,
    cwd: '/work',
    signal: new AbortController().signal,
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

const echo: CliCommand = {
  name: 'echo',
  summary: 'echoes',
  usage: 'prunelab echo <word> [--times N]',
  allowPositionals: true,
  options: { times: { type: 'string' } },
  async run({ values, positionals, dataDir, io }) {
    if (positionals[0] === 'boom') throw new CliError('it went boom', { exitCode: 3, code: 'BOOM' });
    if (positionals[0] === 'bug') throw new Error('unexpected');
    io.out(`said ${positionals[0]}`);
    io.progress('halfway');
    return { word: positionals[0], times: Number(values.times ?? 1), dataDir };
  },
};

describe('the CLI framework', () => {
  it('prints the summary as the last stdout line under --json and nothing else on stdout', async () => {
    const c = capture();
    const code = await runProgram(['echo', 'hi', '--times', '2', '--json', '--data-dir', '/d'], [echo], c.io);
    expect(code).toBe(0);
    const lines = c.out().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ word: 'hi', times: 2, dataDir: '/d' });
    expect(c.err()).toContain('halfway');
  });

  it('prints human output without --json and resolves the data dir from PRUNELAB_HOME', async () => {
    const c = capture({ PRUNELAB_HOME: '/home/x' });
    expect(await runProgram(['echo', 'hi'], [echo], c.io)).toBe(0);
    expect(c.out()).toBe('said hi\n');
  });

  it('fails with a clear message, a non-zero exit code and an error JSON line', async () => {
    const c = capture();
    expect(await runProgram(['echo', 'boom', '--json'], [echo], c.io)).toBe(3);
    expect(c.err()).toContain('prunelab: it went boom');
    expect(JSON.parse(c.out().trimEnd().split('\n').at(-1)!)).toEqual({
      error: { code: 'BOOM', message: 'it went boom' },
    });

    const d = capture();
    expect(await runProgram(['echo', 'bug'], [echo], d.io)).toBe(1);
    expect(d.err()).toContain('unexpected');
  });

  it('rejects unknown commands and unknown options with usage and exit code 2', async () => {
    const c = capture();
    expect(await runProgram(['nope'], [echo], c.io)).toBe(2);
    expect(c.err()).toContain('unknown command "nope"');
    const d = capture();
    expect(await runProgram(['echo', 'x', '--bogus', '--json'], [echo], d.io)).toBe(2);
    expect(d.err()).toContain('--bogus');
    expect(JSON.parse(d.out().trim()).error.code).toBe('USAGE');
  });

  it('shows the command list on --help', async () => {
    const c = capture();
    expect(await runProgram(['--help'], [echo], c.io)).toBe(0);
    expect(c.out()).toContain('echo  echoes');
  });
});
