// The sweep the queue tests and the sweep benchmark run: lenet5 on a tiny dataset, one dense parent and
// criteria × sparsities prune cells, each fine-tuned for an epoch; and what "the same result" means for a
// cell — every metric series value for value, the evaluations, the achieved sparsity.
import type { RunDetail, RunStatus } from '../../../src/shared/dto';

export interface SweepShape {
  criteria: string[];
  sparsities: number[];
}

export const sixCells: SweepShape = { criteria: ['taylor', 'magnitude'], sparsities: [0.5, 0.7, 0.9] };

export function sweepRequest(
  datasetId: string,
  shape: SweepShape = sixCells,
  name = 'grid',
  train: Record<string, unknown> = { preset: 'lenet5', epochs: 2, batchSize: 8, seed: 5 },
) {
  return {
    name,
    datasetId,
    train,
    prune: { finetuneEpochs: 1, scope: 'global' },
    criteria: shape.criteria,
    sparsities: shape.sparsities,
    seeds: [5],
  };
}

const terminal: RunStatus[] = ['done', 'failed', 'cancelled', 'interrupted'];

/** Polls until every run is over (or `timeoutMs` passes), then returns their details. */
export async function waitForRuns(
  get: (id: string) => Promise<RunDetail>,
  runIds: string[],
  timeoutMs = 900_000,
): Promise<RunDetail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await Promise.all(runIds.map(get));
    if (runs.every((r) => terminal.includes(r.status))) return runs;
    if (Date.now() > deadline)
      throw new Error(`runs not over in time: ${runs.map((r) => `${r.name}=${r.status}`).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What must match bit for bit between two runners, keyed by the run's name (the same on both). */
export function cellResults(runs: RunDetail[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const run of runs) {
    out.set(run.name, {
      status: run.status,
      metrics: [...run.metrics]
        .sort((a, b) => `${a.phase}${a.split}${a.name}`.localeCompare(`${b.phase}${b.split}${b.name}`))
        .map((m) => ({ phase: m.phase, split: m.split, name: m.name, epochs: m.epochs, values: m.values })),
      evaluation: run.evaluation && {
        accuracy: run.evaluation.accuracy,
        loss: run.evaluation.loss,
        macroF1: run.evaluation.macroF1,
      },
      denseEvaluation: run.denseEvaluation && {
        accuracy: run.denseEvaluation.accuracy,
        loss: run.denseEvaluation.loss,
      },
      sparsity: run.sparsity,
      steps: run.pruneSteps.map((s) => ({ achieved: s.achievedSparsity, layers: s.layers.length })),
    });
  }
  return out;
}
