// Timestamps are ISO-8601 UTC strings (they sort as text and cross every transport unchanged).
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export function isoNow(clock: Clock): string {
  return clock().toISOString();
}
