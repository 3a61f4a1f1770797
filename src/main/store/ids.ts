// Ids are short random strings that satisfy the shared `id` schema ([A-Za-z0-9_-], ≤ 64): 12 base64url
// characters = 72 random bits. The generator is injectable so tests get predictable ids.
import { randomBytes } from 'node:crypto';

export type IdGenerator = () => string;

export function randomId(): string {
  return randomBytes(9).toString('base64url');
}

/** Deterministic ids for tests: prefix-1, prefix-2, … */
export function sequentialIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return () => `${prefix}-${++n}`;
}
