// `prunelab worker` through the real binary: what it needs is checked before it connects anywhere, and
// each mistake is one line that says what to give.
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers';

describe('prunelab worker', () => {
  it.each([
    [['worker', '--coordinator', 'http://127.0.0.1:7370', '--token', 't'], /--queue redis:\/\/… is required/],
    [
      ['worker', '--queue', 'http://h', '--coordinator', 'http://127.0.0.1:7370', '--token', 't'],
      /start with redis:\/\//,
    ],
    [['worker', '--queue', 'redis://h', '--token', 't'], /--coordinator <URL> is required/],
    [
      ['worker', '--queue', 'redis://h', '--coordinator', 'ftp://h', '--token', 't'],
      /http:\/\/ or https:\/\//,
    ],
    [['worker', '--queue', 'redis://h', '--coordinator', 'http://h/?token=x', '--token', 't'], /no \?query/],
    [
      ['worker', '--queue', 'redis://h', '--coordinator', 'http://h'],
      /--token \(or \$PRUNELAB_WORKER_TOKEN\)/,
    ],
    [
      ['worker', '--queue', 'redis://h', '--coordinator', 'http://h', '--token', 't', '--concurrency', '0'],
      /--concurrency must be from 1 to 64/,
    ],
  ])('refuses %j as a usage error', async (args, message) => {
    const run = await runCli([...args, '--json'], { env: { PRUNELAB_WORKER_TOKEN: '' } });
    expect(run.code).toBe(2);
    expect((run.json.error as { code: string; message: string }).code).toBe('USAGE');
    expect((run.json.error as { message: string }).message).toMatch(message);
  });
});
