import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  ExportFormat,
  ParityResult,
  ResizeMode,
  RunConfig,
  SizeTable,
  WeightEncoding,
} from '../../../shared/dto';
import type { PixelScaling } from './modelInput';
import type { NamedWeight } from './snapshot';

export const METADATA_FILE = 'metadata.json';

export interface LayerSparsity {
  name: string;
  /** kernel elements (the prunable weights) */
  weights: number;
  nonzero: number;
  sparsity: number;
}

export interface ExportFileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

/** Everything a consumer needs to feed the model and trust the files; written beside every export. */
export interface ExportMetadata {
  schema: 'prunelab-export/1';
  format: ExportFormat;
  encoding: WeightEncoding;
  model: {
    file: string;
    input: { name: string | null; layout: 'NHWC' | 'NCHW'; shape: (number | null)[]; dtype: 'float32' };
    output: { name: string | null; kind: 'logits'; classes: number };
  };
  /** class names in output order: logits[i] is classes[i] */
  classes: string[];
  /** [height, width, channels] */
  inputShape: [number, number, number];
  channelOrder: 'RGB' | 'grayscale';
  resizeMode: ResizeMode;
  pixelScaling: PixelScaling;
  /** fraction of prunable (kernel) weights that are zero, over the whole model */
  sparsity: number;
  layers: LayerSparsity[];
  runId: string;
  runConfig: RunConfig | null;
  appVersion: string;
  createdAt: string;
  sizes: SizeTable;
  parity: ParityResult;
  /** every file of the export except metadata.json itself */
  files: ExportFileEntry[];
}

/** Per-layer sparsity of the prunable weights (kernels: rank ≥ 2) as exported. */
export function layerSparsity(weights: NamedWeight[]): { layers: LayerSparsity[]; sparsity: number } {
  const layers: LayerSparsity[] = [];
  let total = 0;
  let zeros = 0;
  for (const w of weights) {
    if (w.shape.length < 2) continue;
    let nonzero = 0;
    for (const v of w.values) if (v !== 0) nonzero++;
    layers.push({
      name: w.layerName,
      weights: w.values.length,
      nonzero,
      sparsity: 1 - nonzero / w.values.length,
    });
    total += w.values.length;
    zeros += w.values.length - nonzero;
  }
  return { layers, sparsity: total === 0 ? 0 : zeros / total };
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

export async function describeFiles(dir: string, files: string[]): Promise<ExportFileEntry[]> {
  const out: ExportFileEntry[] = [];
  for (const path of files) {
    const bytes = await readFile(join(dir, path));
    out.push({ path, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return out;
}

export async function writeMetadata(dir: string, metadata: ExportMetadata): Promise<string> {
  const path = join(dir, METADATA_FILE);
  await writeFile(path, `${JSON.stringify(metadata, null, 2)}\n`);
  return path;
}

/**
 * Re-checks an export against its metadata.json: every listed file must exist with the recorded size
 * and sha256. Returns the problems found (empty = intact); never throws for a damaged export.
 */
export async function verifyExportFiles(dir: string): Promise<{ ok: boolean; problems: string[] }> {
  let metadata: ExportMetadata;
  try {
    metadata = JSON.parse(await readFile(join(dir, METADATA_FILE), 'utf8')) as ExportMetadata;
  } catch (err) {
    return { ok: false, problems: [`${METADATA_FILE} is missing or unreadable: ${(err as Error).message}`] };
  }
  const problems: string[] = [];
  for (const entry of metadata.files ?? []) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, entry.path));
    } catch {
      problems.push(`${entry.path} is missing`);
      continue;
    }
    if (bytes.length !== entry.bytes)
      problems.push(`${entry.path} is ${bytes.length} bytes, metadata says ${entry.bytes}`);
    else if (createHash('sha256').update(bytes).digest('hex') !== entry.sha256)
      problems.push(`${entry.path} does not match its sha256`);
  }
  return { ok: problems.length === 0, problems };
}
