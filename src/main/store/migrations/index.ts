// Numbered migrations under PRAGMA user_version. All pending steps run in ONE transaction together with the
// version bump, so a crash mid-upgrade leaves the previous schema intact.
import type Database from 'better-sqlite3';
import { migration001 } from './001-initial';
import { migration002 } from './002-run-metrics-json';
import { migration003 } from './003-evaluation-predictions';
import { migration004 } from './004-prune-step-measures';
import { migration005 } from './005-dataset-identity';
import { migration006 } from './006-run-cancel-requests';
import { migration007 } from './007-run-owner-lease';
import type { Migration } from './types';

export type { Migration } from './types';

export const migrations: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
];

export const latestVersion = migrations.length;

// The list must be 1, 2, 3, … with no gaps: user_version N means "migrations 1..N applied".
migrations.forEach((m, i) => {
  if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
});

export function readUserVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations after the database's version, up to `target` (default: all), in one transaction.
 * Returns the new version. `list` is replaceable for tests of the mechanism itself.
 */
export function migrate(
  db: Database.Database,
  target: number = latestVersion,
  list: readonly Migration[] = migrations,
): number {
  if (readUserVersion(db) >= target) return readUserVersion(db);
  const apply = db.transaction(() => {
    // Re-read inside the (immediate) transaction: another process may have migrated meanwhile.
    const current = readUserVersion(db);
    for (const m of list) {
      if (m.version <= current || m.version > target) continue;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
    return readUserVersion(db);
  });
  return apply.immediate();
}
