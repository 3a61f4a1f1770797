// How fast an exported ONNX model runs where users deploy it: onnxruntime-node on the CPU, timed side by
// side with another export (dense vs pruned) — the same random input, the same warm-up and repetitions,
// interleaved in alternating order so machine noise falls on both alike; the median of the warm runs.
import * as ort from 'onnxruntime-node';

export interface OnnxTiming {
  batchSize: number;
  /** median milliseconds per batch */
  baselineMs: number;
  candidateMs: number;
  /** baselineMs ÷ candidateMs */
  speedup: number;
}

export interface OnnxLatencyOptions {
  /** [channels, height, width] of one image (ONNX exports are NCHW) */
  shape: [number, number, number];
  batchSizes?: number[];
  warmup?: number;
  repetitions?: number;
  threads?: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function open(file: string, threads: number) {
  return ort.InferenceSession.create(file, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
}

async function timeOnce(session: ort.InferenceSession, input: ort.Tensor): Promise<number> {
  const started = performance.now();
  await session.run({ [session.inputNames[0]!]: input });
  return performance.now() - started;
}

/** Times `candidateFile` against `baselineFile` at every batch size. */
export async function compareOnnxLatency(
  baselineFile: string,
  candidateFile: string,
  options: OnnxLatencyOptions,
): Promise<OnnxTiming[]> {
  const { shape, batchSizes = [1, 64], warmup = 10, repetitions = 60, threads = 2 } = options;
  const baseline = await open(baselineFile, threads);
  const candidate = await open(candidateFile, threads);
  try {
    const timings: OnnxTiming[] = [];
    for (const batchSize of batchSizes) {
      const data = new Float32Array(batchSize * shape[0] * shape[1] * shape[2]);
      let state = 12345;
      for (let i = 0; i < data.length; i++)
        data[i] = ((state = (state * 1103515245 + 12345) >>> 0) % 1000) / 1000;
      const input = new ort.Tensor('float32', data, [batchSize, ...shape]);
      for (let i = 0; i < warmup; i++) {
        await timeOnce(baseline, input);
        await timeOnce(candidate, input);
      }
      const base: number[] = [];
      const cand: number[] = [];
      for (let i = 0; i < repetitions; i++) {
        if (i % 2 === 0) {
          base.push(await timeOnce(baseline, input));
          cand.push(await timeOnce(candidate, input));
        } else {
          cand.push(await timeOnce(candidate, input));
          base.push(await timeOnce(baseline, input));
        }
      }
      const baselineMs = median(base);
      const candidateMs = median(cand);
      timings.push({ batchSize, baselineMs, candidateMs, speedup: baselineMs / candidateMs });
    }
    return timings;
  } finally {
    await baseline.release();
    await candidate.release();
  }
}
