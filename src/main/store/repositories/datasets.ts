// Datasets: rows ⇄ DatasetSummary / DatasetDetail. The import task produces the DatasetDetail; the store
// keeps it whole (problems included) so the import report survives restarts.
import type { DatasetDetail, DatasetSummary } from '../../../shared/dto';
import type { Db } from '../db';
import { fromJson, toJson } from '../json';

interface DatasetRow {
  id: string;
  name: string;
  source_path: string;
  kind: DatasetSummary['kind'];
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

const summaryColumns = `id, name, source_path, kind, created_at, imported, skipped, height, width, channels,
  resize_mode, classes_json, channel_mix_json, size_stats_json, split_json, warnings_json`;

export function rowToDatasetSummary(row: Omit<DatasetRow, 'problems_json'>): DatasetSummary {
  const where = `datasets ${row.id}`;
  return {
    id: row.id,
    name: row.name,
    sourcePath: row.source_path,
    kind: row.kind,
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

export function rowToDatasetDetail(row: DatasetRow): DatasetDetail {
  return { ...rowToDatasetSummary(row), problems: fromJson(row.problems_json, `datasets ${row.id}`) };
}

export function datasetToRow(d: DatasetDetail): DatasetRow {
  return {
    id: d.id,
    name: d.name,
    source_path: d.sourcePath,
    kind: d.kind,
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
  /** Inserts the dataset, or replaces its description if the id exists (re-import). Its runs are kept. */
  save(detail: DatasetDetail): DatasetDetail;
  get(id: string): DatasetDetail | null;
  /** Newest first. */
  list(): DatasetSummary[];
  /** Deletes the dataset and, through foreign keys, its runs, their series and artifacts rows. */
  remove(id: string): boolean;
  /** Class names in label order (what a run's evaluation indexes). */
  classNames(id: string): string[] | null;
}

export function createDatasetsRepository(db: Db): DatasetsRepository {
  const upsert = db.prepare<DatasetRow>(`
    INSERT INTO datasets (id, name, source_path, kind, created_at, imported, skipped, height, width, channels,
      resize_mode, classes_json, channel_mix_json, size_stats_json, split_json, warnings_json, problems_json)
    VALUES (@id, @name, @source_path, @kind, @created_at, @imported, @skipped, @height, @width, @channels,
      @resize_mode, @classes_json, @channel_mix_json, @size_stats_json, @split_json, @warnings_json, @problems_json)
    ON CONFLICT (id) DO UPDATE SET
      name = excluded.name, source_path = excluded.source_path, kind = excluded.kind,
      imported = excluded.imported, skipped = excluded.skipped, height = excluded.height,
      width = excluded.width, channels = excluded.channels, resize_mode = excluded.resize_mode,
      classes_json = excluded.classes_json, channel_mix_json = excluded.channel_mix_json,
      size_stats_json = excluded.size_stats_json, split_json = excluded.split_json,
      warnings_json = excluded.warnings_json, problems_json = excluded.problems_json`);
  const selectOne = db.prepare<[string], DatasetRow>(`SELECT * FROM datasets WHERE id = ?`);
  const selectAll = db.prepare<[], Omit<DatasetRow, 'problems_json'>>(
    `SELECT ${summaryColumns} FROM datasets ORDER BY created_at DESC, rowid DESC`,
  );
  const deleteOne = db.prepare<[string]>(`DELETE FROM datasets WHERE id = ?`);
  const selectClasses = db.prepare<[string], { classes_json: string }>(
    `SELECT classes_json FROM datasets WHERE id = ?`,
  );

  return {
    save(detail) {
      upsert.run(datasetToRow(detail));
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
