// One rule for reading a sparsity, wherever a person types one (CLI flag, sweep builder, API): a fraction
// of the prunable weights in [0, 1) — 0.9 — or, only with an explicit sign, a percentage below 100 — 90%.
// "1.5" is neither (1.5%? 150%?), so it is refused rather than guessed.

/** What a sparsity may be, in words, for error messages. */
export const SPARSITY_RULE = 'a fraction in [0, 1) such as 0.9, or a percentage with % such as 90%';

const fractionPattern = /^(?:0|0?\.\d+|0\.)$/;
const percentPattern = /^(\d+(?:\.\d*)?|\.\d+)%$/;

/** The sparsity `text` says, as a fraction, or why it is not one. */
export function parseSparsityText(text: string): { value: number } | { error: string } {
  const t = text.trim();
  const percent = percentPattern.exec(t);
  if (percent) {
    const value = Number(percent[1]) / 100;
    return value < 1 ? { value } : { error: `"${text}" is 100% or more: ${SPARSITY_RULE}` };
  }
  if (fractionPattern.test(t)) return { value: Number(t) };
  return { error: `"${text}" is not a sparsity: ${SPARSITY_RULE}` };
}

/** True for a number that is a valid sparsity (the API's check of a number it is sent). */
export function isSparsity(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && value < 1;
}
