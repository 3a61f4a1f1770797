// Who owns a run: a process, named by its pid and its start time. A pid alone is not enough — after a
// crash the OS may hand the same pid to an unrelated process, which would then look like a live owner
// forever. The start time is an opaque token read from the OS: two tokens are equal only for the same
// process. Where the OS cannot say (Windows), the token is null and the pid alone decides.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** Opaque start-time token, or null where it cannot be read. */
  started: string | null;
}

/** Whether the process that owns something is still the one running (injectable for tests). */
export type IsOwnerAlive = (pid: number, started: string | null) => boolean;

let bootId: string | null | undefined;

function linuxBootId(): string | null {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

/** The start time of process `pid` as the OS reports it, or null when it is gone or cannot be read. */
export function processStartToken(pid: number, platform: NodeJS.Platform = process.platform): string | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    if (platform === 'linux') {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so fields are
      // counted after its last ')'. Field 22 (starttime, clock ticks since boot) is the 20th after it.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = fields[19];
      return ticks ? `linux:${linuxBootId() ?? '?'}:${ticks}` : null;
    }
    if (platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd') {
      const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 2000,
      }).trim();
      return out ? `ps:${out}` : null;
    }
  } catch {
    return null;
  }
  return null;
}

export function currentProcessIdentity(): ProcessIdentity {
  return { pid: process.pid, started: processStartToken(process.pid) };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process is the owner still when its pid lives and, where both are known, its start time matches. */
export const defaultIsOwnerAlive: IsOwnerAlive = (pid, started) => {
  if (!pidAlive(pid)) return false;
  if (started === null) return true;
  const now = processStartToken(pid);
  return now === null || now === started;
};
