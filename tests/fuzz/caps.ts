// The caps the hostile-input session's server runs with: small, so the traffic reaches every one of them.
export const fuzzCaps = {
  maxFileBytes: 256 * 1024,
  maxTotalBytes: 2 * 1024 * 1024,
  maxFiles: 50,
  maxUploads: 8,
  minFreeDiskBytes: 64 * 1024 * 1024,
  /** Abandoned upload sessions (a sequence that neither imports nor discards) free their place soon. */
  abandonedAfterMs: 500,
  maxQueuedJobs: 25,
} as const;
