// Whether the process that owns a leftover is still running. A leftover is only ever swept when its
// owner is gone; a reused pid makes it look alive, which only delays the sweep to a later start.

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user — alive all the same.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
