// Migration 6: a run can be asked to stop from another process. cancel_requested_at is set by whoever
// asks (the CLI, or the app for a run a CLI is training); the process running the run polls for it and
// cancels its job. Cleared when the run is queued again (resume).
import type { Migration } from './types';

export const migration006: Migration = {
  version: 6,
  name: '006-run-cancel-requests',
  up(db) {
    // Looked up by run id (the primary key) for the few runs a process is running: no index needed.
    db.exec(`ALTER TABLE runs ADD COLUMN cancel_requested_at TEXT;`);
  },
};
