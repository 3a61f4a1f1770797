// Affine uint8 quantization in the form tfjs's weights manifest stores it: value = q · scale + min.
// The range is nudged so 0.0 is one of the 256 levels exactly — pruned weights must stay exact zeros
// after dequantisation, or the export would silently un-prune the model.

export interface AffineUint8 {
  scale: number;
  /** the dequantised value of q = 0 (≤ 0); equals -zeroPoint · scale */
  min: number;
  /** the q that dequantises to exactly 0 */
  zeroPoint: number;
}

export function affineUint8Params(values: Float32Array): AffineUint8 {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) return { scale: 1, min: 0, zeroPoint: 0 };
  const scale = (hi - lo) / 255;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, min: -zeroPoint * scale, zeroPoint };
}

export function quantizeUint8(values: Float32Array, params: AffineUint8): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = Math.round((values[i] as number) / params.scale) + params.zeroPoint;
    out[i] = q < 0 ? 0 : q > 255 ? 255 : q;
  }
  return out;
}

export function dequantizeUint8(q: Uint8Array, params: AffineUint8): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = (q[i] as number) * params.scale + params.min;
  return out;
}
