// The decode pass of the import doctor: every candidate file read once, sniffed, hashed and — unless an
// identical file was already taken — decoded once, in a small pool, into the pixel spool. Each file ends with
// an Outcome; judging duplicates and conflicts happens afterwards, in file order (judgeDuplicates.ts).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import { layoutName, majorityChannels, type DatasetChannels, type DecodeTarget } from './channelPolicy';
import { decodeImage, type DecodedImage } from './decodeImage';
import { DecodeHelper, defaultHelperCount } from './decodeHelpers';
import { throwIfAborted } from './errors';
import { classifyDecodeError, type ImageProblem } from './imageProblem';
import { SpooledPixels } from './pixelStore';
import { runPool } from './pool';
import { readCandidate } from './readCandidate';
import { sniffFormat } from './sniffFormat';
import type { FileEntry } from './walkFolder';

export type Outcome =
  /** `hash` is set when the bytes were read and hashed before the problem showed (a decode failure) */
  | { kind: 'problem'; reason: ImageProblem['reason']; detail: string; hash?: string }
  | { kind: 'copy'; hash: string }
  | {
      kind: 'ok';
      hash: string;
      slot: number;
      width: number;
      height: number;
      layout: string;
      /** decoded to 3 channels, yet every pixel has R = G = B */
      colourless: boolean;
    };

export const DEFAULT_PROBE_FILES = 64;

/** Reads the channel layout of a spread of files from their headers (no pixel decoding) to pick 1 or 3. */
/** A PNG's channel layout straight from its IHDR (colour type and bit depth), or null when it takes more. */
function pngHeaderLayout(buf: Uint8Array): string | null {
  if (buf.length < 29) return null;
  const depth16 = buf[24] === 16;
  const colorType = buf[25];
  if (colorType === 0 || colorType === 4) return layoutName('b-w', colorType === 4, depth16);
  if (colorType === 2 || colorType === 6) return layoutName('srgb', colorType === 6, depth16);
  return null; // palette: its transparency lives in another chunk; ask sharp
}

export async function probeChannels(files: FileEntry[], probeFiles: number): Promise<DatasetChannels> {
  const mix: Record<string, number> = {};
  const step = Math.max(1, files.length / probeFiles);
  for (let k = 0; k < Math.min(probeFiles, files.length); k++) {
    const entry = files[Math.floor(k * step)];
    if (!entry) continue;
    try {
      const buf = readCandidate(entry.absPath);
      const sniffed = sniffFormat(buf);
      if (sniffed.kind !== 'image') continue;
      const fromHeader =
        sniffed.format === 'png' ? pngHeaderLayout(buf) : sniffed.format === 'bmp' ? 'rgb' : null;
      const layout: string =
        fromHeader ??
        (await sharp(buf)
          .metadata()
          .then((m) => layoutName(m.space, m.hasAlpha === true, m.depth === 'ushort')));
      mix[layout] = (mix[layout] ?? 0) + 1;
    } catch {
      // the decode pass will name this file's problem
    }
  }
  return majorityChannels(mix);
}

export interface DecodePassOptions {
  workDir: string;
  /** files in flight at once on the main thread (sharp decodes on the libuv pool) */
  concurrency?: number;
  /** helper threads for the fast PNG path; default one per core beyond the first */
  helperThreads?: number;
  /** helpers start only for at least this many files (default 20,000) */
  minFilesForHelpers?: number;
  /** the helper's entry module (tests point it elsewhere) */
  helperEntry?: URL;
  signal?: AbortSignal;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface DecodePass {
  outcomes: Outcome[];
  spool: SpooledPixels;
  /** helper threads that worked to the end */
  helpersUsed: number;
}

const CHUNK_FILES = 256;
/**
 * A helper costs ~0.5 s to start (a thread, plus the TypeScript loader in it); the main thread alone decodes
 * small PNGs at ~20,000/s, so helpers pay off from a few tens of thousands of files.
 */
const MIN_FILES_FOR_HELPERS = 20_000;

export async function decodeAll(
  files: FileEntry[],
  target: DecodeTarget,
  options: DecodePassOptions,
  attempt: number,
): Promise<DecodePass> {
  const recordBytes = target.size * target.size * target.channels;
  const spool = new SpooledPixels(join(options.workDir, `pixels-${attempt}.spool`), recordBytes);
  const outcomes: Outcome[] = new Array(files.length);
  const seen = new Set<string>();
  const concurrency = options.concurrency ?? 4;
  const every = Math.max(1, Math.floor(files.length / 100));
  let done = 0;
  const advance = (): void => {
    done++;
    if (done % every === 0 || done === files.length) options.onProgress?.('decode', done, files.length);
  };
  const examineAll = (indices: number[]): Promise<void> =>
    runPool(
      indices,
      concurrency,
      async (i) => {
        outcomes[i] = await examine((files[i] as FileEntry).absPath, target, spool, seen);
        advance();
      },
      options.signal,
    );

  // Files go out in chunks to whoever is free: the main thread, or a helper thread for the fast path.
  const chunks: number[][] = [];
  for (let i = 0; i < files.length; i += CHUNK_FILES)
    chunks.push(Array.from({ length: Math.min(CHUNK_FILES, files.length - i) }, (_, k) => i + k));
  let next = 0;
  const take = (): number[] | undefined => (options.signal?.aborted ? undefined : chunks[next++]);

  const mainThread = async (): Promise<void> => {
    for (let chunk = take(); chunk; chunk = take()) await examineAll(chunk);
  };
  let helpersUsed = 0;
  const helperThread = async (helper: DecodeHelper): Promise<void> => {
    for (let chunk = take(); chunk; chunk = take()) {
      const batch = await helper
        .run(
          chunk.map((i) => (files[i] as FileEntry).absPath),
          target,
        )
        .catch(() => null);
      if (!batch) return examineAll(chunk); // the helper is gone: this chunk and the rest stay on the main thread
      const leftOver: number[] = [];
      let record = 0;
      chunk.forEach((i, k) => {
        const fast = batch.results[k];
        if (!fast) return void leftOver.push(i);
        const pixels = batch.pixels.subarray(record * recordBytes, ++record * recordBytes);
        outcomes[i] = acceptDecoded(fast.hash, { ...fast, pixels }, target, spool, seen);
        advance();
      });
      await examineAll(leftOver);
    }
    helpersUsed++;
  };

  const helperCount =
    files.length >= (options.minFilesForHelpers ?? MIN_FILES_FOR_HELPERS)
      ? (options.helperThreads ?? defaultHelperCount())
      : 0;
  const helpers = Array.from({ length: helperCount }, () => DecodeHelper.start(options.helperEntry)).filter(
    (h): h is DecodeHelper => h !== null,
  );
  try {
    await Promise.all([mainThread(), ...helpers.map(helperThread)]);
    throwIfAborted(options.signal);
  } catch (err) {
    spool.dispose();
    throw err;
  } finally {
    await Promise.all(helpers.map((h) => h.close()));
  }
  return { outcomes, spool, helpersUsed };
}

/** Records a file a helper decoded, unless identical bytes were taken already (then it is a copy). */
function acceptDecoded(
  hash: string,
  image: DecodedImage,
  target: DecodeTarget,
  spool: SpooledPixels,
  seen: Set<string>,
): Outcome {
  if (seen.has(hash)) return { kind: 'copy', hash };
  seen.add(hash);
  return recordDecoded(hash, image, target, spool);
}

function recordDecoded(
  hash: string,
  image: DecodedImage,
  target: DecodeTarget,
  spool: SpooledPixels,
): Outcome {
  return {
    kind: 'ok',
    hash,
    slot: spool.append(image.pixels),
    width: image.width,
    height: image.height,
    layout: image.layout,
    colourless: target.channels === 3 && isColourless(image.pixels),
  };
}

function isColourless(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] !== rgb[i + 1] || rgb[i] !== rgb[i + 2]) return false;
  return true;
}

async function examine(
  path: string,
  target: DecodeTarget,
  spool: SpooledPixels,
  seen: Set<string>,
): Promise<Outcome> {
  try {
    const buf = readCandidate(path);
    const sniffed = sniffFormat(buf);
    if (sniffed.kind === 'not-image')
      return { kind: 'problem', reason: 'not-an-image', detail: `this is ${sniffed.what}` };
    if (sniffed.kind === 'unsupported')
      return {
        kind: 'problem',
        reason: 'unsupported-format',
        detail: `${sniffed.format.toUpperCase()} images are not supported; convert to PNG or JPEG`,
      };
    const hash = createHash('sha1').update(buf).digest('base64');
    if (seen.has(hash)) return { kind: 'copy', hash }; // identical bytes decode identically: decode once
    seen.add(hash);
    let image;
    try {
      image = await decodeImage(buf, sniffed.format, target);
    } catch (err) {
      const problem = classifyDecodeError(err);
      return { kind: 'problem', reason: problem.reason, detail: problem.message, hash };
    }
    return recordDecoded(hash, image, target, spool);
  } catch (err) {
    const problem = classifyDecodeError(err);
    return { kind: 'problem', reason: problem.reason, detail: problem.message };
  }
}
