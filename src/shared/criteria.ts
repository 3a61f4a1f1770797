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
  /**
   * how it fared where the defaults were chosen — validation split, Fashion-MNIST, keras-cifar-cnn, prune +
   * 2 fine-tune epochs (bench/pruneSelect.ts; prune/README has the tables) — in words for people
   */
  evidence: string;
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
    evidence:
      'Close second: accumulated over a gradual schedule (¼ of the budget, last layer dense) it kept 87.3% at 90% sparsity and 86.2% at 95% (taylor in the same setting 87.3% / 86.1%); over the first half, 81.5% at 98% (taylor 82.2%).',
  },
  taylor: {
    formula: '|w·∂L/∂w|',
    summary: 'first-order estimate of the loss change from removing the weight',
    source: 'Molchanov et al. 2017; Lee et al. 2019 (SNIP)',
    usesGradients: true,
    scorings: ['calibration', 'accumulated'],
    baseline: false,
    evidence:
      "The default, and the winner from 90% to 98% (validation accuracy, dense ≈ 87.4%): accumulated over a gradual schedule and fine-tuned from 5× the training rate, decaying after the last prune step, it kept 88.2% at 90% sparsity, 87.3% at 95% and 86.0% at 98%, against LAMP's 87.5% / 86.6% (fine-tuned at 2×) and magnitude's 87.4% / 85.1%. For moderate sparsity, magnitude is nearly as good: at 80% LAMP kept 87.9% (taylor 88.4%), and a LAMP cut fine-tuned like the gradual run comes within 0.5 pp at 90%.",
  },
  gradient: {
    formula: '|∂L/∂w|',
    summary: "prunes weights whose gradient is small, whatever their size (PruneLab's original criterion)",
    source: 'the original PruneLab description',
    usesGradients: true,
    scorings: ['calibration', 'accumulated'],
    baseline: false,
    evidence:
      "Weakest of the gradient criteria: without the weight's size it keeps large weights with small gradients and cuts the rest — 81.8% at 95% and 72.0% at 98%, accumulated (taylor 86.2% / 82.2%).",
  },
  movement: {
    formula: '−Σₜ w·∂L/∂w',
    summary: 'keeps weights that training moves away from zero, prunes those it pulls towards zero',
    source: 'Sanh et al. 2020 (movement pruning)',
    usesGradients: true,
    scorings: ['accumulated'],
    baseline: false,
    evidence:
      'Made for fine-tuning large pretrained models: with 2 fine-tune epochs from a small trained CNN it kept only 67.2% at 95% sparsity (taylor 84.8% in the same setting).',
  },
  magnitude: {
    formula: '|w|',
    summary: 'prunes the smallest weights',
    source: 'Han et al. 2015',
    usesGradients: false,
    scorings: ['calibration'],
    baseline: true,
    evidence:
      'The classic baseline: 87.4% at 90% sparsity one-shot, 0.8 pp behind taylor (88.2%); 85.1% at 95% (taylor 87.3%) and 77.9% at 98% (86.0%).',
  },
  lamp: {
    formula: 'w² / Σ_{|v|≥|w|} v²',
    summary:
      "magnitude rescaled per layer so one global ranking cannot empty a layer (magnitude's strong form)",
    source: 'Lee et al. 2021 (LAMP)',
    usesGradients: false,
    scorings: ['calibration'],
    baseline: true,
    evidence:
      'The strong magnitude baseline and the best one-shot cut: fine-tuned at 2× the training rate it kept 87.5% at 90% sparsity and 86.6% at 95% (taylor 88.2% / 87.3%); 87.9% at 80% (taylor 88.4%); 79.7% at 98% (taylor 86.0%).',
  },
  random: {
    formula: 'u ~ U[0, 1)',
    summary: 'prunes at random (seeded): the floor every criterion must beat',
    source: '—',
    usesGradients: false,
    scorings: ['calibration'],
    baseline: true,
    evidence: 'The floor: any criterion that does not beat it by far is broken.',
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

/**
 * The scoring a run gets when it names none: accumulated while training where the criterion and the
 * schedule allow it (the validation winner), else the criterion's own first way.
 */
export function defaultScoring(
  criterion: Criterion,
  schedule: 'oneshot' | 'iterative' | 'gradual',
  granularity: 'unstructured' | 'structured',
): Scoring {
  const info = criteria[criterion];
  const accumulate = schedule === 'gradual' && granularity === 'unstructured';
  return accumulate && info.scorings.includes('accumulated') ? 'accumulated' : info.scorings[0]!;
}
