// Roofline figures for bench:train: the backend's matMul peak, measured in the process that trains.
import * as tf from '@tensorflow/tfjs';

/**
 * GFLOP/s of tf.matMul on square float32 matrices (2·n³ FLOPs), the median of `runs` timed products per
 * size after one warm-up; the peak is the best size. On wasm this is XNNPACK's GEMM with the backend's
 * threads — the ceiling a training step's matrix work can reach in this process.
 */
export function measureMatMulPeak(
  sizes: readonly number[] = [512, 1024],
  runs = 5,
): {
  gflops: number;
  size: number;
} {
  let best = { gflops: 0, size: 0 };
  for (const n of sizes) {
    const a = tf.randomUniform([n, n]);
    const b = tf.randomUniform([n, n]);
    try {
      const once = () => {
        const started = performance.now();
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
        return performance.now() - started;
      };
      once();
      const times = Array.from({ length: runs }, once).sort((x, y) => x - y);
      const gflops = (2 * n ** 3) / (times[Math.floor(runs / 2)]! * 1e6);
      if (gflops > best.gflops) best = { gflops, size: n };
    } finally {
      a.dispose();
      b.dispose();
    }
  }
  return best;
}
