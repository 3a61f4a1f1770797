// Export artifacts of a run: where the files are, how big (raw and gzip), their hash, the size table and
// the parity check result.
import type { ArtifactSummary, ParityResult, SizeTable } from '../../../shared/dto';
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { IdGenerator } from '../ids';
import { forRun } from '../errors';
import { fromJsonOrNull, toJson } from '../json';

interface ArtifactRow {
  id: string;
  run_id: string;
  format: ArtifactSummary['format'];
  encoding: ArtifactSummary['encoding'];
  path: string;
  zip_path: string | null;
  bytes: number;
  gzip_bytes: number;
  sha256: string;
  created_at: string;
  sizes_json: string | null;
  parity_json: string | null;
}

export type NewArtifact = Omit<ArtifactSummary, 'id' | 'createdAt'> & { id?: string };

export function artifactToRow(a: ArtifactSummary): ArtifactRow {
  return {
    id: a.id,
    run_id: a.runId,
    format: a.format,
    encoding: a.encoding,
    path: a.path,
    zip_path: a.zipPath,
    bytes: a.bytes,
    gzip_bytes: a.gzipBytes,
    sha256: a.sha256,
    created_at: a.createdAt,
    sizes_json: a.sizes === null ? null : toJson(a.sizes),
    parity_json: a.parity === null ? null : toJson(a.parity),
  };
}

export function rowToArtifact(row: ArtifactRow): ArtifactSummary {
  const where = `artifacts ${row.id}`;
  return {
    id: row.id,
    runId: row.run_id,
    format: row.format,
    encoding: row.encoding,
    path: row.path,
    zipPath: row.zip_path,
    bytes: row.bytes,
    gzipBytes: row.gzip_bytes,
    sha256: row.sha256,
    createdAt: row.created_at,
    sizes: fromJsonOrNull<SizeTable>(row.sizes_json, where),
    parity: fromJsonOrNull<ParityResult>(row.parity_json, where),
  };
}

export interface ArtifactsRepository {
  create(input: NewArtifact): ArtifactSummary;
  get(id: string): ArtifactSummary | null;
  /** Oldest first. */
  listByRun(runId: string): ArtifactSummary[];
  remove(id: string): boolean;
}

export function createArtifactsRepository(db: Db, clock: Clock, newId: IdGenerator): ArtifactsRepository {
  const insert = db.prepare<ArtifactRow>(`
    INSERT INTO artifacts (id, run_id, format, encoding, path, zip_path, bytes, gzip_bytes, sha256, created_at,
      sizes_json, parity_json)
    VALUES (@id, @run_id, @format, @encoding, @path, @zip_path, @bytes, @gzip_bytes, @sha256, @created_at,
      @sizes_json, @parity_json)`);
  const selectOne = db.prepare<[string], ArtifactRow>(`SELECT * FROM artifacts WHERE id = ?`);
  const selectByRun = db.prepare<[string], ArtifactRow>(
    `SELECT * FROM artifacts WHERE run_id = ? ORDER BY created_at, rowid`,
  );
  const deleteOne = db.prepare<[string]>(`DELETE FROM artifacts WHERE id = ?`);
  return {
    create(input) {
      const artifact: ArtifactSummary = {
        ...input,
        id: input.id ?? newId(),
        createdAt: clock().toISOString(),
      };
      forRun(artifact.runId, () => insert.run(artifactToRow(artifact)));
      return artifact;
    },
    get(id) {
      const row = selectOne.get(id);
      return row ? rowToArtifact(row) : null;
    },
    listByRun(runId) {
      return selectByRun.all(runId).map(rowToArtifact);
    },
    remove(id) {
      return deleteOne.run(id).changes > 0;
    },
  };
}
