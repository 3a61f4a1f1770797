// Migration 7: a run's owner is a lease — the owning process's pid AND its start time (an opaque token,
// see processIdentity.ts), so a pid reused by an unrelated process after a crash is not mistaken for
// the owner. NULL for rows written before: such an owner is judged by its pid alone. The owner is who
// honours a cancel request (migration 6's cancel_requested_at) for the run.
import type { Migration } from './types';

export const migration007: Migration = {
  version: 7,
  name: '007-run-owner-lease',
  up(db) {
    db.exec(`ALTER TABLE runs ADD COLUMN owner_started TEXT;`);
  },
};
