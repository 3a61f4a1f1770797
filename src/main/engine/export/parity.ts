import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExportFormat, ParityResult, WeightEncoding } from '../../../shared/dto';
import { tempFolderPrefix } from '../files/scratchNames';
import { FLOAT32_MAX_LOGIT_DELTA, QUANTIZED_MIN_TOP1 } from '../../../shared/exportWords';
import type { ParityChildRequest } from './parityChild';

// The thresholds live with their wording in src/shared, so the app and the CLI state the same rule.
export { FLOAT32_MAX_LOGIT_DELTA, QUANTIZED_MIN_TOP1 };

export interface ParityImages {
  /** float32 NHWC, scaled exactly as the model expects */
  images: Float32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

export interface ParityCheckInput {
  format: ExportFormat;
  encoding: WeightEncoding;
  artifactDir: string;
  inputs: ParityImages;
  /** the app's own logits for the same images, count × classes */
  expectedLogits: Float32Array;
  classes: number;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Where the ignorant checker runs (default: defaultParityIsolation()). */
  isolation?: ParityIsolation;
}

/**
 * 'process': a forked plain Node process. 'thread': a worker thread — its own module graph (stock tfjs /
 * onnxruntime-node, nothing of PruneLab), used inside Electron, where the RunAsNode fuse is off and
 * forking a plain Node process is not possible.
 */
export type ParityIsolation = 'process' | 'thread';

export function defaultParityIsolation(
  versions: Record<string, string | undefined> = process.versions,
): ParityIsolation {
  return versions.electron ? 'thread' : 'process';
}

/**
 * Loads the artifact in a fresh Node process that knows nothing of PruneLab (stock tfjs over HTTP, or
 * onnxruntime-node) and compares its logits with the app's. Never throws for a bad artifact: a load
 * failure, a crash or a mismatch all come back as { ok: false, message }. Cancellation does throw.
 */
export async function checkParity(input: ParityCheckInput): Promise<ParityResult> {
  const runtime = input.format === 'tfjs' ? 'tfjs' : 'onnxruntime';
  const base = { runtime, images: input.inputs.count } as const;
  const work = await mkdtemp(join(tmpdir(), tempFolderPrefix('parity')));
  try {
    const request: ParityChildRequest = {
      runtime,
      artifactDir: input.artifactDir,
      modelFile: input.format === 'tfjs' ? 'model.json' : 'model.onnx',
      inputPath: join(work, 'images.f32'),
      count: input.inputs.count,
      height: input.inputs.height,
      width: input.inputs.width,
      channels: input.inputs.channels,
      outputPath: join(work, 'logits.f32'),
      batchSize: 100,
    };
    const { images } = input.inputs;
    await writeFile(request.inputPath, new Uint8Array(images.buffer, images.byteOffset, images.byteLength));
    await writeFile(join(work, 'request.json'), JSON.stringify(request));
    const isolation = input.isolation ?? defaultParityIsolation();
    const requestPath = join(work, 'request.json');
    const timeoutMs = input.timeoutMs ?? 300_000;
    const run = await checkers[isolation](requestPath, input.signal, timeoutMs);
    if (!run.ok) {
      return {
        ...base,
        ok: false,
        top1Agreement: 0,
        maxAbsLogitDelta: Infinity,
        message: `the exported model failed to run in a fresh ${runtime} ${isolation}: ${run.message}`,
      };
    }
    const raw = await readFile(request.outputPath);
    const actual = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    if (actual.length !== input.expectedLogits.length) {
      return {
        ...base,
        ok: false,
        top1Agreement: 0,
        maxAbsLogitDelta: Infinity,
        message: `the exported model returned ${actual.length} logits, expected ${input.expectedLogits.length}`,
      };
    }
    const { top1Agreement, maxAbsLogitDelta, decisiveDisagreements } = compareLogits(
      input.expectedLogits,
      actual,
      input.classes,
    );
    return judge({ ...base, top1Agreement, maxAbsLogitDelta }, input.encoding, decisiveDisagreements);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface LogitComparison {
  top1Agreement: number;
  maxAbsLogitDelta: number;
  /**
   * Top-1 disagreements where the app's own margin between the two classes is wider than the float32
   * tolerance lets either side move (2 × FLOAT32_MAX_LOGIT_DELTA); the rest are near-ties. Only used
   * to explain a failure: a flip fails a float32 export either way.
   */
  decisiveDisagreements: number;
}

/**
 * The pass/fail rule. float32: every logit within FLOAT32_MAX_LOGIT_DELTA and 100% top-1 agreement.
 * Quantized encodings are judged on top-1 agreement only, since their logits move by design.
 */
export function judge(
  result: Omit<ParityResult, 'ok' | 'message'>,
  encoding: WeightEncoding,
  decisiveDisagreements: number,
): ParityResult {
  const finite = Number.isFinite(result.maxAbsLogitDelta);
  const pct = (result.top1Agreement * 100).toFixed(2);
  if (encoding === 'float32') {
    const ok = finite && result.maxAbsLogitDelta <= FLOAT32_MAX_LOGIT_DELTA && result.top1Agreement === 1;
    if (ok) return { ...result, ok };
    const flips =
      result.top1Agreement < 1 && decisiveDisagreements === 0 && finite
        ? " (the flipped images are near-ties in the app's own logits)"
        : '';
    return {
      ...result,
      ok,
      message: `float32 export differs from the app: top-1 agreement ${pct}%${flips}, max |Δlogit| ${result.maxAbsLogitDelta} (allowed ${FLOAT32_MAX_LOGIT_DELTA})`,
    };
  }
  const ok = finite && result.top1Agreement >= QUANTIZED_MIN_TOP1;
  return {
    ...result,
    ok,
    message: ok
      ? `${encoding} export agrees with the app on ${pct}% of top-1 predictions (at least ${QUANTIZED_MIN_TOP1 * 100}% required)`
      : `${encoding} export agrees with the app on only ${pct}% of top-1 predictions (at least ${QUANTIZED_MIN_TOP1 * 100}% required), or produced non-finite logits`,
  };
}

export function compareLogits(
  expected: Float32Array,
  actual: Float32Array,
  classes: number,
): LogitComparison {
  const count = expected.length / classes;
  let agree = 0;
  let decisive = 0;
  let maxDelta = 0;
  for (let i = 0; i < count; i++) {
    let bestE = 0;
    let bestA = 0;
    for (let k = 0; k < classes; k++) {
      const e = expected[i * classes + k] as number;
      const a = actual[i * classes + k] as number;
      const delta = Math.abs(e - a);
      // NaN must count as the worst possible difference, not slip past a > comparison.
      maxDelta = Number.isNaN(delta) ? Infinity : Math.max(maxDelta, delta);
      if (e > (expected[i * classes + bestE] as number)) bestE = k;
      if (a > (actual[i * classes + bestA] as number)) bestA = k;
    }
    if (bestE === bestA) agree++;
    else {
      const margin = (expected[i * classes + bestE] as number) - (expected[i * classes + bestA] as number);
      if (!(margin <= 2 * FLOAT32_MAX_LOGIT_DELTA)) decisive++;
    }
  }
  return {
    top1Agreement: count === 0 ? 0 : agree / count,
    maxAbsLogitDelta: maxDelta,
    decisiveDisagreements: decisive,
  };
}

/**
 * How to start the child: from source (tests, CLI, serve mode) it is parityChild.ts run through tsx,
 * whose loader is resolved from here rather than from the cwd, so it starts wherever the app was
 * launched; a bundled build ships it as parityChild.js beside (or one folder above) this chunk.
 */
export function parityChildCommand(): { script: string; execArgv: string[]; threadEntry: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  const source = join(here, 'parityChild.ts');
  if (existsSync(source)) {
    const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return {
      script: source,
      execArgv: ['--import', tsxLoader],
      threadEntry: join(here, 'parityChild.bootstrap.mjs'),
    };
  }
  for (const candidate of [join(here, 'parityChild.js'), join(here, '..', 'parityChild.js')]) {
    if (existsSync(candidate)) return { script: candidate, execArgv: [], threadEntry: candidate };
  }
  throw new Error(
    `The parity checker (parityChild) is missing from ${here}; this build cannot verify exports.`,
  );
}

/** Runs the checker on a request file; `ok` once it wrote its logits, else why not. */
type Checker = (
  requestPath: string,
  signal: AbortSignal | undefined,
  timeoutMs: number,
) => Promise<{ ok: true } | { ok: false; message: string }>;

const runChild: Checker = (requestPath, signal, timeoutMs) => {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const command = parityChildCommand();
    const child = fork(command.script, [requestPath], {
      execArgv: command.execArgv,
      // Inside Electron, fork() would start another Electron app without this.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      timeout: timeoutMs,
      ...(signal ? { signal } : {}),
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.stdout?.resume();
    child.on('error', (err) => {
      if (signal?.aborted) reject(abortError());
      else resolve({ ok: false, message: err.message });
    });
    child.on('exit', (code, sig) => {
      if (signal?.aborted) return reject(abortError());
      if (code === 0) return resolve({ ok: true });
      const why = sig ? `killed by ${sig}` : `exit code ${code}`;
      resolve({ ok: false, message: `${why}: ${lastLines(stderr)}` });
    });
  });
};

/** The same checker in a worker thread: argv[2] is the request, exit code 0 means logits written. */
const runThread: Checker = (requestPath, signal, timeoutMs) => {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const worker = new Worker(parityChildCommand().threadEntry, {
      argv: [requestPath],
      stdout: true,
      stderr: true,
    });
    let stderr = '';
    let failure: string | null = null;
    worker.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    worker.stdout.resume();
    const timer = setTimeout(() => {
      failure = `timed out after ${timeoutMs} ms`;
      void worker.terminate();
    }, timeoutMs);
    const onAbort = () => void worker.terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('error', (err) => {
      failure ??= err.message;
    });
    worker.on('exit', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(abortError());
      if (code === 0 && failure === null) return resolve({ ok: true });
      resolve({ ok: false, message: failure ?? `exit code ${code}: ${lastLines(stderr)}` });
    });
  });
};

const checkers: Record<ParityIsolation, Checker> = { process: runChild, thread: runThread };

function lastLines(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  // The first line of a stack trace is the message; keep it short.
  return lines.slice(0, 3).join(' | ') || 'no error output';
}

function abortError(): Error {
  const err = new Error('The export was cancelled.');
  err.name = 'AbortError';
  return err;
}
