// Caps that both sides of the API know about: the services enforce them, the UI can warn before asking.

export const jobLimits = {
  /**
   * Jobs waiting or running at once. A sweep that would go past it is refused whole, before anything is
   * queued (the largest grid the schema allows is 4,010 runs; a real study of a few hundred fits).
   */
  maxQueuedJobs: 1000,
  /** Finished jobs whose full result stays in memory for a caller that asks after the end. */
  keepFinishedJobs: 16,
} as const;
