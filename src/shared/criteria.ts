// The pruning criteria: what each scores, where it comes from, and how it may be scored. One table, read by
// the schemas (which combinations are valid), the engine (how to rank) and the UI (the words beside them).
import type { Criterion, Scoring } from './dto';

export interface CriterionInfo {
  /** what a weight's score is, in symbols */
  formula: string;
  /** one line for people */
  summary: string;
  /** where it comes from */
  source: string;
  /** needs ∂L/∂w: scored on calibration batches or accumulated over training steps */
  usesGradients: boolean;
  /** the ways it can be scored; the first is the default */
  scorings: readonly Scoring[];
  /** a baseline every comparison shows, not a contender */
  baseline: boolean;
}

export const criteria: Record<Criterion, CriterionInfo> = {
  fisher: {
    formula: '½·w²·E[(∂L/∂w)²]',
    summary:
      'second-order loss increase from removing the weight, curvature from the empirical Fisher diagonal',
    source: 'LeCun et al. 1990 (Optimal Brain Damage); Theis et al. 2018 (Fisher pruning)',
    usesGradients: true,
    scorings: ['calibration', 'accumulated'],
    baseline: false,
  },
  taylor: {
    formula: '|w·∂L/∂w|',
    summary: 'first-order estimate of the loss change from removing the weight',
    source: 'Molchanov et al. 2017; Lee et al. 2019 (SNIP)',
    usesGradients: true,
    scorings: ['calibration', 'accumulated'],
    baseline: false,
  },
  gradient: {
    formula: '|∂L/∂w|',
    summary: "prunes weights whose gradient is small, whatever their size (PruneLab's original criterion)",
    source: 'the original PruneLab description',
    usesGradients: true,
    scorings: ['calibration', 'accumulated'],
    baseline: false,
  },
  movement: {
    formula: '−Σₜ w·∂L/∂w',
    summary: 'keeps weights that training moves away from zero, prunes those it pulls towards zero',
    source: 'Sanh et al. 2020 (movement pruning)',
    usesGradients: true,
    scorings: ['accumulated'],
    baseline: false,
  },
  magnitude: {
    formula: '|w|',
    summary: 'prunes the smallest weights',
    source: 'Han et al. 2015',
    usesGradients: false,
    scorings: ['calibration'],
    baseline: true,
  },
  lamp: {
    formula: 'w² / Σ_{|v|≥|w|} v²',
    summary:
      "magnitude rescaled per layer so one global ranking cannot empty a layer (magnitude's strong form)",
    source: 'Lee et al. 2021 (LAMP)',
    usesGradients: false,
    scorings: ['calibration'],
    baseline: true,
  },
  random: {
    formula: 'u ~ U[0, 1)',
    summary: 'prunes at random (seeded): the floor every criterion must beat',
    source: '—',
    usesGradients: false,
    scorings: ['calibration'],
    baseline: true,
  },
};

export const criterionNames = Object.keys(criteria) as Criterion[];

/** Why a criterion/scoring/schedule combination cannot run, or null when it can. */
export function scoringProblem(
  criterion: Criterion,
  scoring: Scoring,
  schedule: 'oneshot' | 'iterative' | 'gradual',
  granularity: 'unstructured' | 'structured',
): string | null {
  const info = criteria[criterion];
  if (!info.scorings.includes(scoring)) {
    return scoring === 'accumulated'
      ? `${criterion} does not use gradients, so there is nothing to accumulate: use scoring "calibration"`
      : `${criterion} is accumulated over training steps: use scoring "accumulated" with the gradual schedule`;
  }
  if (scoring === 'accumulated' && schedule !== 'gradual') {
    return 'accumulated scores are gathered while training between prune steps: use the gradual schedule';
  }
  if (scoring === 'accumulated' && granularity === 'structured') {
    return 'accumulated scores are for unstructured pruning; structured pruning scores on calibration batches';
  }
  return null;
}
