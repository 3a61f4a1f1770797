// Who a coordinator is to its workers, kept across restarts in <dataDir>/queue-identity.json (mode 0600):
// its id, which names its queue (so several coordinators can share one Redis without taking each other's
// jobs), and the token its workers present. A restarted coordinator keeps both, so workers already
// running — and jobs already queued — carry on.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export interface QueueIdentity {
  coordinatorId: string;
  workerToken: string;
}

const identitySchema = z.strictObject({
  coordinatorId: z.string().regex(/^[a-f0-9]{16}$/),
  workerToken: z.string().regex(/^[A-Za-z0-9_-]{32,128}$/),
});

export const identityFileName = 'queue-identity.json';

/** The BullMQ queue a coordinator's jobs go on. */
export function queueNameOf(coordinatorId: string): string {
  return `prunelab-${coordinatorId}`;
}

/** Reads the identity, creating it on first use; an unreadable or tampered file is an error, never replaced. */
export function loadQueueIdentity(dataDir: string): QueueIdentity {
  const file = join(dataDir, identityFileName);
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== null) {
    const parsed = identitySchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new Error(`${file} is not a PruneLab queue identity; move it away to make a new one`);
    }
    return parsed.data;
  }
  const identity: QueueIdentity = {
    coordinatorId: randomBytes(8).toString('hex'),
    // Hex, never base64url: a token starting with '-' would read as an option after `--token`.
    workerToken: randomBytes(32).toString('hex'),
  };
  // 'wx': two processes starting at once must not overwrite each other's token.
  try {
    writeFileSync(file, JSON.stringify(identity, null, 1), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadQueueIdentity(dataDir);
    throw err;
  }
  return identity;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
