// NHWC (tfjs) ↔ NCHW (ONNX) layout arithmetic: kernel transposes, the flatten-order permutation and
// TensorFlow-compatible explicit padding.

export function pair(value: unknown): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2) return [Number(value[0]), Number(value[1])];
  throw new Error(`Expected a number or a pair, got ${JSON.stringify(value)}.`);
}

/**
 * Explicit ONNX pads [top, left, bottom, right] matching TensorFlow's 'same' (extra row/column at the
 * end, like SAME_UPPER) or 'valid' (none).
 */
export function padsFor(
  padding: string,
  input: [number, number],
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new Error(`Padding "${padding}" is not supported by ONNX export.`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let d = 0; d < 2; d++) {
    const size = input[d] as number;
    const stride = strides[d] as number;
    const effective = ((kernel[d] as number) - 1) * (dilations[d] as number) + 1;
    const out = Math.ceil(size / stride);
    const total = Math.max(0, (out - 1) * stride + effective - size);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [...begin, ...end];
}

/** tfjs kernel [kh, kw, in, out] → ONNX weight [out, in, kh, kw]. */
export function transposeHwioToOihw(
  values: Float32Array,
  kh: number,
  kw: number,
  cin: number,
  cout: number,
): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          out[((o * cin + i) * kh + y) * kw + x] = values[((y * kw + x) * cin + i) * cout + o] as number;
  return out;
}

/**
 * Reorders the rows of a [features, cols] matrix from tfjs's flatten order (h, w, c) to ONNX's
 * (c, h, w), so Gemm on the NCHW-flattened vector computes exactly what tfjs's Dense does.
 */
export function permuteRowsToChw(
  values: Float32Array,
  chw: [number, number, number],
  cols: number,
): Float32Array {
  const [c, h, w] = chw;
  const out = new Float32Array(values.length);
  for (let ci = 0; ci < c; ci++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const from = ((y * w + x) * c + ci) * cols;
        const to = ((ci * h + y) * w + x) * cols;
        out.set(values.subarray(from, from + cols), to);
      }
  return out;
}
