// Measures how long this process's event loop is held up, telling blocking from starvation: a setInterval
// drift probe records, for every tick, how late it fired (wall) and how much CPU this process used
// meanwhile. Code that blocks the loop burns CPU for the whole delay; a loop that is merely waiting for
// a core (2 cores shared by many processes here) is late without using CPU. `blockedMs` of a tick is
// min(lateness, CPU used) — an upper bound of the time our own code held the loop.
export interface LoopProbe {
  stop(): { maxLateMs: number; maxBlockedMs: number; ticks: number };
}

export function startLoopProbe(intervalMs = 5): LoopProbe {
  let lastWall = performance.now();
  let lastCpu = process.cpuUsage();
  let maxLateMs = 0;
  let maxBlockedMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const lateMs = Math.max(0, wall - lastWall - intervalMs);
    const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    maxLateMs = Math.max(maxLateMs, lateMs);
    maxBlockedMs = Math.max(maxBlockedMs, Math.min(lateMs, cpuMs));
    ticks++;
    lastWall = wall;
    lastCpu = cpu;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { maxLateMs, maxBlockedMs, ticks };
    },
  };
}
