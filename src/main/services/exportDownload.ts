// An export as a file to download (serve mode's browser cannot open a folder on the server). Not part of
// the JSON API contract: its answer is bytes, which the HTTP server sends as an attachment. The id is
// validated like any payload; only an artifact of PruneLab's own history, still exactly as it was
// written, is zipped (engine/export/exportArchive.ts).
import { toErrorData, type Result } from '../../shared/errors';
import { id as idSchema } from '../../shared/schemas';
import type { ServiceContext } from './context';
import { invalid, notFound } from './errors';

export interface ExportDownload {
  fileName: string;
  bytes: Uint8Array;
}

/** A file name anyone's file system takes: the run's name in ASCII letters, digits, '.', '-' and '_'. */
export function downloadFileName(runName: string, format: string, encoding: string | null): string {
  const base = runName
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // accents go, their letters stay: "Ü" → "U"
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return `${base || 'prunelab-export'}-${format}${encoding ? `-${encoding}` : ''}.zip`;
}

export function createExportDownload(ctx: ServiceContext) {
  async function download(rawArtifactId: unknown): Promise<ExportDownload> {
    const parsed = idSchema.safeParse(rawArtifactId);
    if (!parsed.success) throw invalid(`not an export id: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const artifact = ctx.store.artifacts.get(parsed.data);
    if (!artifact || artifact.format === 'dataset-png') throw notFound('export', parsed.data);
    const run = ctx.store.runs.get(artifact.runId);
    const { exportArchive } = await import('../engine/export/exportArchive');
    return {
      fileName: downloadFileName(run?.name ?? artifact.runId, artifact.format, artifact.encoding),
      bytes: await exportArchive(artifact.path, artifact.sha256),
    };
  }
  /** Never throws: errors come back as data, like dispatch. */
  return async (rawArtifactId: unknown): Promise<Result<ExportDownload>> => {
    try {
      return { ok: true, value: await download(rawArtifactId) };
    } catch (err) {
      return { ok: false, error: toErrorData(err) };
    }
  };
}
