// Roofline figures for bench:train: the backend's matMul peak, measured in the process that trains.
import * as tf from '@tensorflow/tfjs';

/**
 * GFLOP/s of tf.matMul on square float32 matrices (2·n³ FLOPs): the fastest of `runs` timed products per
 * size after one warm-up (the fastest is the one least disturbed by other work on the machine), best
 * size; and the same per second of this process's CPU time, which other processes cannot inflate (at one
 * thread that is the core's own speed). On wasm this is XNNPACK's GEMM with the backend's threads — the
 * ceiling a training step's matrix work can reach in this process.
 */
export function measureMatMulPeak(
  sizes: readonly number[] = [512, 1024],
  runs = 7,
): { gflops: number; gflopsPerCpuSecond: number; size: number } {
  let best = { gflops: 0, gflopsPerCpuSecond: 0, size: 0 };
  for (const n of sizes) {
    const a = tf.randomUniform([n, n]);
    const b = tf.randomUniform([n, n]);
    try {
      const once = () => {
        const started = performance.now();
        const cpu = process.cpuUsage();
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
        const used = process.cpuUsage(cpu);
        return { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 };
      };
      once();
      const times = Array.from({ length: runs }, once);
      const gflops = (2 * n ** 3) / (Math.min(...times.map((t) => t.wall)) * 1e6);
      const gflopsPerCpuSecond = (2 * n ** 3) / (Math.min(...times.map((t) => t.cpu)) * 1e6);
      if (gflops > best.gflops) best = { gflops, gflopsPerCpuSecond, size: n };
    } finally {
      a.dispose();
      b.dispose();
    }
  }
  return best;
}
