// Ids are short random strings that satisfy the shared `id` schema ([A-Za-z0-9_-], ≤ 64): 12 base64url
// characters = 72 random bits. The generator is injectable so tests get predictable ids.
import { randomBytes } from 'node:crypto';

export type IdGenerator = () => string;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * 12 characters: base64url, except that the first is always a letter or digit — an id that starts with
 * "-" reads as an option on a command line (`prunelab export --run -x…` fails to parse).
 */
export function randomId(): string {
  const bytes = randomBytes(10);
  const first = ALPHANUMERIC[bytes[0]! % ALPHANUMERIC.length]!;
  return first + bytes.subarray(1).toString('base64url').slice(0, 11);
}

/** Deterministic ids for tests: prefix-1, prefix-2, … */
export function sequentialIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return () => `${prefix}-${++n}`;
}
