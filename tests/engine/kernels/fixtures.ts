/** Seeded values in [−0.5, 0.5) (a linear congruential generator): the same inputs on every backend. */
export function seededValues(n: number, seed: number): Float32Array {
  const values = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = s / 2 ** 32 - 0.5;
  }
  return values;
}

/** max |a − b| over max |b|: float32 error relative to the gradient's scale. */
export function maxRelativeError(a: Float32Array, b: Float32Array): number {
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return maxDiff / scale;
}
