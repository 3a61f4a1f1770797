// Launched by `npm run …` or `npx …`, PruneLab runs under a shell that npm started (`sh -c …`), and npm
// forwards a SIGTERM or SIGINT sent to it only to that shell — which dies of SIGTERM without passing it
// on, leaving PruneLab orphaned and still serving. Watching for the parent to go closes that gap: when
// the process that started PruneLab disappears, PruneLab stops as if it had been signalled.

export interface ParentWatchOptions {
  /** Called once, when the parent process is gone. */
  onGone(): void;
  intervalMs?: number;
  /** The current parent pid (injectable for tests). */
  parentPid?: () => number;
}

/** Starts watching; returns a function that stops the watch. The timer never keeps the process alive. */
export function watchParent(options: ParentWatchOptions): () => void {
  const parentPid = options.parentPid ?? (() => process.ppid);
  const first = parentPid();
  const timer = setInterval(() => {
    // An orphan is re-parented (to init or a subreaper), so its parent pid changes.
    if (parentPid() === first) return;
    clearInterval(timer);
    options.onGone();
  }, options.intervalMs ?? 250);
  timer.unref();
  return () => clearInterval(timer);
}

/** Whether npm (run-script or npx) started this process through a shell. */
export function startedByNpm(env: NodeJS.ProcessEnv): boolean {
  return typeof env.npm_lifecycle_event === 'string' && env.npm_lifecycle_event !== '';
}
