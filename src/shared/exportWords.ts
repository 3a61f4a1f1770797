// How an export and its parity check read to a person, the same in the app and the CLI: which export a
// size belongs to, and what "parity ok" promised — float32 reproduces the app's logits, a quantized
// encoding agrees on at least 90% of top-1 predictions (its logits move by design).
import type { ArtifactSummary, ParityResult, WeightEncoding } from './dto';

/** float32 exports must reproduce the app's logits to this absolute tolerance, with identical top-1. */
export const FLOAT32_MAX_LOGIT_DELTA = 1e-4;
/** Below this top-1 agreement a quantized export is reported as not matching (it is still written). */
export const QUANTIZED_MIN_TOP1 = 0.9;

const formatNames = { tfjs: 'TF.js', onnx: 'ONNX', 'dataset-png': 'PNG images' } as const;

/** "TF.js uint8", "ONNX float32". */
export function describeExport(a: Pick<ArtifactSummary, 'format' | 'encoding'>): string {
  return a.encoding ? `${formatNames[a.format]} ${a.encoding}` : formatNames[a.format];
}

/** The rule an export of this encoding is held to. */
export function parityRule(encoding: WeightEncoding | null): string {
  return encoding === 'float32' || encoding === null
    ? `identical top-1 and every logit within ${FLOAT32_MAX_LOGIT_DELTA} of the app's`
    : `top-1 agreement of at least ${QUANTIZED_MIN_TOP1 * 100}% (quantized logits move by design)`;
}

/** The figures and the rule in few words, for a table cell: "top-1 98.4% (≥ 90% needed)". */
export function parityFigures(p: ParityResult, encoding: WeightEncoding | null): string {
  const agreement = `top-1 ${(p.top1Agreement * 100).toFixed(1)}%`;
  return encoding === 'float32' || encoding === null
    ? `${agreement} · max |Δlogit| ${p.maxAbsLogitDelta.toExponential(1)} (≤ ${FLOAT32_MAX_LOGIT_DELTA} needed)`
    : `${agreement} (≥ ${QUANTIZED_MIN_TOP1 * 100}% needed)`;
}

/** "ok — top-1 agreement 98.4% on 1,000 images (needs ≥ 90%)", or why it failed. */
export function describeParity(p: ParityResult, encoding: WeightEncoding | null): string {
  const agreement = `${(p.top1Agreement * 100).toFixed(1)}%`;
  const images = p.images.toLocaleString('en-US');
  const needs =
    encoding === 'float32' || encoding === null
      ? `max |Δlogit| ${p.maxAbsLogitDelta.toExponential(1)}, allowed ${FLOAT32_MAX_LOGIT_DELTA}`
      : `needs ≥ ${QUANTIZED_MIN_TOP1 * 100}%`;
  return `${p.ok ? 'ok' : 'FAILED'} — top-1 agreement ${agreement} on ${images} images in ${p.runtime} (${needs})`;
}
