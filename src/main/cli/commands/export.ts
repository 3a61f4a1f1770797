// `prunelab export --run <id> --format tfjs|onnx …`: writes the model, measures its size from the files and
// checks parity in a fresh process; the artifact is recorded with the run.
import { resolve } from 'node:path';
import type { ArtifactSummary } from '../../../shared/dto';
import type { AppServices } from '../../services';
import { CliError, type CliCommand, type CliIo } from '../command';
import { choiceOption, requireFlag, withFlags, type FlagMap } from '../flags';
import { bytes, call, followJob, openServices, percent } from '../session';

export function exportSummary(a: ArtifactSummary) {
  return {
    artifactId: a.id,
    runId: a.runId,
    format: a.format,
    encoding: a.encoding,
    path: a.path,
    zipPath: a.zipPath,
    bytes: a.bytes,
    gzipBytes: a.gzipBytes,
    sha256: a.sha256,
    sizes: a.sizes,
    parity: a.parity,
  };
}

const exportFormats = ['tfjs', 'onnx'] as const;
const weightEncodings = ['float32', 'float16', 'uint8'] as const;
const exportFlags: FlagMap = { runId: 'run', outDir: 'out', format: 'format', encoding: 'encoding' };

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'export a finished run as a TF.js LayersModel or ONNX, with its size table and parity check',
  usage:
    'prunelab export --run <id> [--format tfjs|onnx] [--encoding float32|float16|uint8] [--out <dir>] [--zip] [--force] [--json]\n' +
    '  --force replaces an earlier PruneLab export (and its zip) at --out; a folder or file PruneLab did not write is never replaced',
  options: {
    run: { type: 'string' },
    format: { type: 'string' },
    encoding: { type: 'string' },
    out: { type: 'string' },
    zip: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  },
  async run({ values, dataDir, io }) {
    const runId = requireFlag(values, 'run', '<id>', exportCommand.usage);
    const format = choiceOption(values, 'format', exportFormats) ?? 'tfjs';
    const encoding = choiceOption(values, 'encoding', weightEncodings) ?? 'float32';
    const services = await openServices(dataDir);
    try {
      const artifact = await withFlags(exportFlags, values, () =>
        exportRun(
          services,
          {
            runId,
            format,
            encoding,
            ...(values.out ? { outDir: resolve(io.cwd, values.out as string) } : {}),
            zip: values.zip === true,
            overwrite: values.force === true,
          },
          io,
        ),
      );
      printArtifact(artifact, io.out);
      return exportSummary(artifact);
    } finally {
      await services.close();
    }
  },
};

export async function exportRun(
  services: AppServices,
  payload: {
    runId: string;
    format: 'tfjs' | 'onnx';
    encoding: 'float32' | 'float16' | 'uint8';
    outDir?: string;
    zip: boolean;
    overwrite?: boolean;
  },
  io: CliIo,
): Promise<ArtifactSummary> {
  const { jobId } = await call(services, 'exports.create', payload);
  const result = await followJob(services, jobId, io, `export ${payload.format}`);
  const artifacts = await call(services, 'exports.list', { runId: payload.runId });
  const artifact = artifacts.find((a) => a.id === result.artifactId);
  if (!artifact) throw new CliError(`export finished but artifact ${result.artifactId} is not recorded`);
  return artifact;
}

export function printArtifact(a: ArtifactSummary, out: (line: string) => void) {
  out(`Export ${a.format} ${a.encoding ?? ''} → ${a.path}${a.zipPath ? ` (zip: ${a.zipPath})` : ''}`);
  if (a.sizes) {
    const { export: e, dense, ratios } = a.sizes;
    out(
      `  size      raw ${bytes(e.rawBytes)} · gzip ${bytes(e.gzipBytes)} · sparse+gzip ${bytes(e.sparseGzipBytes)}`,
    );
    out(
      `  dense     raw ${bytes(dense.rawBytes)} · gzip ${bytes(dense.gzipBytes)} · sparse+gzip ${bytes(dense.sparseGzipBytes)}`,
    );
    out(
      `  smaller   raw ×${ratios.raw.toFixed(2)} · gzip ×${ratios.gzip.toFixed(2)} · sparse+gzip ×${ratios.sparseGzip.toFixed(2)}`,
    );
    out(`  params    ${e.nonzeroParameters} nonzero of ${e.parameters}`);
  }
  if (a.parity) {
    const p = a.parity;
    out(
      `  parity    ${p.ok ? 'ok' : 'FAILED'} (${p.runtime}, ${p.images} images): top-1 agreement ${percent(p.top1Agreement)}, max |Δlogit| ${p.maxAbsLogitDelta.toExponential(2)}`,
    );
  }
}
