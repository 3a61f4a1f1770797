// JSON text ⇄ values for the JSON columns. Kept in one place so a malformed column names its table.
import { storeError } from './errors';

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw storeError(`Corrupt JSON in ${where}`, { where });
  }
}

export function fromJsonOrNull<T>(text: string | null, where: string): T | null {
  return text === null ? null : fromJson<T>(text, where);
}

/** SQLite has no NaN (it stores NULL); numbers read back from nullable REAL columns map NULL → NaN. */
export function realOrNaN(value: number | null): number {
  return value === null ? Number.NaN : value;
}
