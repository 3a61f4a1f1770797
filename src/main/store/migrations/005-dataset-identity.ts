// Migration 5: a dataset has an identity. Names become unique (case-insensitively); datasets that shared a
// name keep the oldest as it was and the others get a suffix that says what differs, and the runs and
// sweeps that carry the old name as one " · " part of theirs are renamed with them. Two new columns:
// content_hash (sha256 of what training reads; NULL until computed, see DatasetSummary.contentHash) and
// origin ('path', or 'upload' for a folder dropped in a browser, whose uploaded copy is gone after import —
// recognised here by living under this database's own uploads/ folder).
import { dirname, join } from 'node:path';
import { renameInLabel, uniqueDatasetName } from '../datasetNames';
import type { Migration } from './types';

interface DatasetRow {
  id: string;
  name: string;
  imported: number;
  height: number;
  width: number;
  channels: number;
}

export const migration005: Migration = {
  version: 5,
  name: '005-dataset-identity',
  up(db) {
    db.exec(`
      ALTER TABLE datasets ADD COLUMN content_hash TEXT;
      ALTER TABLE datasets ADD COLUMN origin TEXT NOT NULL DEFAULT 'path' CHECK (origin IN ('path', 'upload'));
    `);

    // An in-memory or temporary database has no folder of its own, hence no uploads.
    if (db.name && db.name !== ':memory:') {
      const uploads = join(dirname(db.name), 'uploads');
      db.prepare(
        `UPDATE datasets SET origin = 'upload'
         WHERE substr(source_path, 1, length(?) + 1) IN (? || '/', ? || '\\')`,
      ).run(uploads, uploads, uploads);
    }

    const rows = db
      .prepare(`SELECT id, name, imported, height, width, channels FROM datasets ORDER BY created_at, rowid`)
      .all() as DatasetRow[];
    const taken = new Map<string, { imported: number; inputShape: [number, number, number] }>();
    const renameDataset = db.prepare(`UPDATE datasets SET name = ? WHERE id = ?`);
    const runsOf = db.prepare(`SELECT id, name FROM runs WHERE dataset_id = ?`);
    const sweepsOf = db.prepare(`SELECT id, name FROM sweeps WHERE dataset_id = ?`);
    const renameRun = db.prepare(`UPDATE runs SET name = ? WHERE id = ?`);
    const renameSweep = db.prepare(`UPDATE sweeps SET name = ? WHERE id = ?`);
    for (const row of rows) {
      const facts = {
        imported: row.imported,
        inputShape: [row.height, row.width, row.channels] as [number, number, number],
      };
      const name = uniqueDatasetName(
        row.name,
        facts,
        (candidate) => taken.get(candidate.toLowerCase()) ?? null,
      );
      taken.set(name.toLowerCase(), facts);
      if (name === row.name) continue;
      renameDataset.run(name, row.id);
      for (const run of runsOf.all(row.id) as { id: string; name: string }[])
        renameRun.run(renameInLabel(run.name, row.name, name), run.id);
      for (const sweep of sweepsOf.all(row.id) as { id: string; name: string }[])
        renameSweep.run(renameInLabel(sweep.name, row.name, name), sweep.id);
    }

    db.exec(`
      CREATE UNIQUE INDEX datasets_by_name ON datasets (name COLLATE NOCASE);
      CREATE INDEX datasets_by_content_hash ON datasets (content_hash) WHERE content_hash IS NOT NULL;
    `);
  },
};
