import { describe, expect, it } from 'vitest';
import { startLoopProbe } from './loopProbe';

describe('the event-loop probe', () => {
  it('sees our own code holding the loop (so a passing reliability check means something)', async () => {
    const probe = startLoopProbe();
    await new Promise((r) => setTimeout(r, 30));
    const until = performance.now() + 120;
    while (performance.now() < until) {
      // busy: the loop is blocked by this process for 120 ms
    }
    await new Promise((r) => setTimeout(r, 30));
    const result = probe.stop();
    expect(result.maxLateMs).toBeGreaterThanOrEqual(100);
    expect(result.maxBlockedMs).toBeGreaterThanOrEqual(60);
  });

  it('does not count waiting for a timer as blocking', async () => {
    const probe = startLoopProbe();
    await new Promise((r) => setTimeout(r, 200));
    expect(probe.stop().maxBlockedMs).toBeLessThan(50);
  });
});
