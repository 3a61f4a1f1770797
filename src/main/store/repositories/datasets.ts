// Datasets: rows ⇄ DatasetSummary / DatasetDetail. The import task produces the DatasetDetail; the store
// keeps it whole (problems included) so the import report survives restarts. Names are unique
// (case-insensitively): a clash is a CONFLICT, and a rename carries over to the runs and sweeps that
// carry the name in theirs.
import type { DatasetDetail, DatasetSummary } from '../../../shared/dto';
import { ApiError } from '../../../shared/errors';
import { renameInLabel } from '../datasetNames';
import type { Db } from '../db';
import { notFound } from '../errors';
import { fromJson, toJson } from '../json';

interface DatasetRow {
  id: string;
  name: string;
  source_path: string;
  origin: DatasetSummary['origin'];
  kind: DatasetSummary['kind'];
  content_hash: string | null;
  created_at: string;
  imported: number;
  skipped: number;
  height: number;
  width: number;
  channels: number;
  resize_mode: DatasetSummary['resizeMode'];
  classes_json: string;
  channel_mix_json: string;
  size_stats_json: string;
  split_json: string;
  warnings_json: string;
  problems_json: string;
}

/** A row as read: with the number of runs on the dataset. */
type DatasetReadRow = DatasetRow & { run_count: number };

const summaryColumns = `id, name, source_path, origin, kind, content_hash, created_at, imported, skipped, height,
  width, channels, resize_mode, classes_json, channel_mix_json, size_stats_json, split_json, warnings_json,
  (SELECT count(*) FROM runs r WHERE r.dataset_id = datasets.id) AS run_count`;

export function rowToDatasetSummary(row: Omit<DatasetReadRow, 'problems_json'>): DatasetSummary {
  const where = `datasets ${row.id}`;
  return {
    id: row.id,
    name: row.name,
    sourcePath: row.source_path,
    origin: row.origin,
    kind: row.kind,
    contentHash: row.content_hash,
    runCount: row.run_count,
    createdAt: row.created_at,
    classes: fromJson(row.classes_json, where),
    imported: row.imported,
    skipped: row.skipped,
    inputShape: [row.height, row.width, row.channels],
    resizeMode: row.resize_mode,
    channelMix: fromJson(row.channel_mix_json, where),
    sizeStats: fromJson(row.size_stats_json, where),
    split: fromJson(row.split_json, where),
    warnings: fromJson(row.warnings_json, where),
  };
}

export function rowToDatasetDetail(row: DatasetReadRow): DatasetDetail {
  return { ...rowToDatasetSummary(row), problems: fromJson(row.problems_json, `datasets ${row.id}`) };
}

export function datasetToRow(d: DatasetDetail): DatasetRow {
  return {
    id: d.id,
    name: d.name,
    source_path: d.sourcePath,
    origin: d.origin,
    kind: d.kind,
    content_hash: d.contentHash,
    created_at: d.createdAt,
    imported: d.imported,
    skipped: d.skipped,
    height: d.inputShape[0],
    width: d.inputShape[1],
    channels: d.inputShape[2],
    resize_mode: d.resizeMode,
    classes_json: toJson(d.classes),
    channel_mix_json: toJson(d.channelMix),
    size_stats_json: toJson(d.sizeStats),
    split_json: toJson(d.split),
    warnings_json: toJson(d.warnings),
    problems_json: toJson(d.problems),
  };
}

export interface DatasetsRepository {
  /**
   * Inserts the dataset, or replaces its description if the id exists (re-import). Its runs are kept.
   * `runCount` is computed, not written. A name another dataset has is a CONFLICT.
   */
  save(detail: DatasetDetail): DatasetDetail;
  get(id: string): DatasetDetail | null;
  /** Newest first. */
  list(): DatasetSummary[];
  /** Whether another dataset (not `exceptId`) has this name, compared case-insensitively. */
  nameTaken(name: string, exceptId?: string): DatasetSummary | null;
  /**
   * Renames the dataset and, in the same transaction, every run and sweep of it that carries the old name
   * as one " · " part of its own. A name in use is a CONFLICT; an unknown id NOT_FOUND.
   */
  rename(id: string, name: string): DatasetDetail;
  /** The oldest dataset with this content hash. */
  findByContentHash(hash: string): DatasetSummary | null;
  /** Ids of datasets whose content hash was never computed (imported before it was recorded). */
  unhashedIds(): string[];
  setContentHash(id: string, hash: string): void;
  /** Deletes the dataset and, through foreign keys, its runs, their series and artifacts rows. */
  remove(id: string): boolean;
  /** Class names in label order (what a run's evaluation indexes). */
  classNames(id: string): string[] | null;
}

function nameConflict(name: string): ApiError {
  return new ApiError({
    code: 'CONFLICT',
    message: `a dataset named "${name}" already exists; choose another name`,
    details: { name },
  });
}

function isUniqueNameError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && /datasets\.name/.test((err as Error).message);
}

export function createDatasetsRepository(db: Db): DatasetsRepository {
  const upsert = db.prepare<DatasetRow>(`
    INSERT INTO datasets (id, name, source_path, origin, kind, content_hash, created_at, imported, skipped, height,
      width, channels, resize_mode, classes_json, channel_mix_json, size_stats_json, split_json, warnings_json,
      problems_json)
    VALUES (@id, @name, @source_path, @origin, @kind, @content_hash, @created_at, @imported, @skipped, @height,
      @width, @channels, @resize_mode, @classes_json, @channel_mix_json, @size_stats_json, @split_json,
      @warnings_json, @problems_json)
    ON CONFLICT (id) DO UPDATE SET
      name = excluded.name, source_path = excluded.source_path, origin = excluded.origin, kind = excluded.kind,
      content_hash = excluded.content_hash,
      imported = excluded.imported, skipped = excluded.skipped, height = excluded.height,
      width = excluded.width, channels = excluded.channels, resize_mode = excluded.resize_mode,
      classes_json = excluded.classes_json, channel_mix_json = excluded.channel_mix_json,
      size_stats_json = excluded.size_stats_json, split_json = excluded.split_json,
      warnings_json = excluded.warnings_json, problems_json = excluded.problems_json`);
  const selectOne = db.prepare<[string], DatasetReadRow>(
    `SELECT ${summaryColumns}, problems_json FROM datasets WHERE id = ?`,
  );
  const selectAll = db.prepare<[], Omit<DatasetReadRow, 'problems_json'>>(
    `SELECT ${summaryColumns} FROM datasets ORDER BY created_at DESC, rowid DESC`,
  );
  const selectByName = db.prepare<[string, string], Omit<DatasetReadRow, 'problems_json'>>(
    `SELECT ${summaryColumns} FROM datasets WHERE name = ? COLLATE NOCASE AND id <> ?`,
  );
  const selectByHash = db.prepare<[string], Omit<DatasetReadRow, 'problems_json'>>(
    `SELECT ${summaryColumns} FROM datasets WHERE content_hash = ? ORDER BY created_at, rowid LIMIT 1`,
  );
  const selectUnhashed = db.prepare<[], { id: string }>(
    `SELECT id FROM datasets WHERE content_hash IS NULL ORDER BY created_at, rowid`,
  );
  const updateHash = db.prepare<[string, string]>(`UPDATE datasets SET content_hash = ? WHERE id = ?`);
  const updateName = db.prepare<[string, string]>(`UPDATE datasets SET name = ? WHERE id = ?`);
  const runsOf = db.prepare<[string], { id: string; name: string }>(
    `SELECT id, name FROM runs WHERE dataset_id = ?`,
  );
  const sweepsOf = db.prepare<[string], { id: string; name: string }>(
    `SELECT id, name FROM sweeps WHERE dataset_id = ?`,
  );
  const renameRun = db.prepare<[string, string]>(`UPDATE runs SET name = ? WHERE id = ?`);
  const renameSweep = db.prepare<[string, string]>(`UPDATE sweeps SET name = ? WHERE id = ?`);

  const renameTx = db.transaction((id: string, name: string) => {
    const before = selectOne.get(id);
    if (!before) throw notFound('dataset', id);
    if (selectByName.get(name, id)) throw nameConflict(name);
    updateName.run(name, id);
    for (const run of runsOf.all(id)) renameRun.run(renameInLabel(run.name, before.name, name), run.id);
    for (const sweep of sweepsOf.all(id))
      renameSweep.run(renameInLabel(sweep.name, before.name, name), sweep.id);
  });
  const deleteOne = db.prepare<[string]>(`DELETE FROM datasets WHERE id = ?`);
  const selectClasses = db.prepare<[string], { classes_json: string }>(
    `SELECT classes_json FROM datasets WHERE id = ?`,
  );

  return {
    save(detail) {
      try {
        upsert.run(datasetToRow(detail));
      } catch (err) {
        if (isUniqueNameError(err)) throw nameConflict(detail.name);
        throw err;
      }
      const row = selectOne.get(detail.id);
      if (!row) throw new Error(`dataset ${detail.id} vanished after saving`);
      return rowToDatasetDetail(row);
    },
    get(id) {
      const row = selectOne.get(id);
      return row ? rowToDatasetDetail(row) : null;
    },
    list() {
      return selectAll.all().map(rowToDatasetSummary);
    },
    nameTaken(name, exceptId = '') {
      const row = selectByName.get(name, exceptId);
      return row ? rowToDatasetSummary(row) : null;
    },
    rename(id, name) {
      renameTx(id, name);
      const row = selectOne.get(id);
      if (!row) throw new Error(`dataset ${id} vanished after renaming`);
      return rowToDatasetDetail(row);
    },
    findByContentHash(hash) {
      const row = selectByHash.get(hash);
      return row ? rowToDatasetSummary(row) : null;
    },
    unhashedIds() {
      return selectUnhashed.all().map((r) => r.id);
    },
    setContentHash(id, hash) {
      updateHash.run(hash, id);
    },
    remove(id) {
      return deleteOne.run(id).changes > 0;
    },
    classNames(id) {
      const row = selectClasses.get(id);
      if (!row) return null;
      return fromJson<DatasetSummary['classes']>(row.classes_json, `datasets ${id}`).map((c) => c.name);
    },
  };
}
