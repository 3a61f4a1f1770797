// Runs as the CLI shows them: one line each in `prunelab runs list`, the whole story in `runs show` —
// configuration, backend, timeline, accuracy, sparsity and every export with its size and parity.
import { describeExport, describeParity } from '../../shared/exportWords';
import type { ArtifactSummary, LrSchedule, RunConfig, RunDetail, RunSummary } from '../../shared/dto';
import { formatRate } from '../../shared/scheduleRule';
import { bytes, percent } from './session';

/** The --json form of a run in a list. */
export function runListItem(r: RunSummary) {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    status: r.status,
    datasetId: r.datasetId,
    datasetName: r.datasetName,
    parentRunId: r.parentRunId,
    sweepId: r.sweepId,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    bestValidationAccuracy: r.best['validation.accuracy']?.value ?? null,
    testAccuracy: r.testAccuracy,
    sparsity: r.sparsity,
    exportGzipBytes: r.exportGzipBytes,
  };
}

function cut(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

const shortDate = (iso: string) => iso.slice(0, 16).replace('T', ' ');

export function printRunTable(runs: readonly RunSummary[], out: (line: string) => void): void {
  out(
    `${'ID'.padEnd(14)} ${'NAME'.padEnd(36)} ${'KIND'.padEnd(11)} ${'STATUS'.padEnd(11)} ${'DATASET'.padEnd(20)} ` +
      `${'VAL ACC'.padStart(7)} ${'TEST ACC'.padStart(8)} ${'SPARSITY'.padStart(8)}  CREATED`,
  );
  for (const r of runs) {
    out(
      `${cut(r.id, 14)} ${cut(r.name, 36)} ${r.kind.padEnd(11)} ${r.status.padEnd(11)} ${cut(r.datasetName, 20)} ` +
        `${percent(r.best['validation.accuracy']?.value).padStart(7)} ${percent(r.testAccuracy).padStart(8)} ` +
        `${percent(r.sparsity).padStart(8)}  ${shortDate(r.createdAt)}`,
    );
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeTraining(c: RunConfig): string {
  const t = c.train;
  const optimizer = t.optimizer === 'sgd' ? `sgd (momentum ${t.momentum})` : 'adam';
  return `${t.preset} · ${plural(t.epochs, 'epoch')} · batch ${t.batchSize} · lr ${t.learningRate} · ${optimizer} · seed ${t.seed}`;
}

function describePruning(c: RunConfig): string | null {
  const p = c.prune;
  if (c.sensitivity)
    return `sensitivity of each layer · ${c.sensitivity.criterion} · ${c.sensitivity.sparsities.length} sparsities`;
  if (!p) return null;
  const target =
    p.target.kind === 'sparsity' ? `sparsity ${percent(p.target.value)}` : `saliency θ ${p.target.value}`;
  const schedule =
    p.schedule.kind === 'iterative'
      ? `iterative, ${plural(p.schedule.rounds, 'round')}`
      : p.schedule.kind === 'gradual'
        ? p.schedule.endStep === undefined
          ? 'gradual, steps from the fine-tune budget'
          : `gradual, steps ${p.schedule.startStep ?? 0}–${p.schedule.endStep} every ${p.schedule.frequency ?? 'automatic'}`
        : 'one-shot';
  return `${p.criterion} · ${target} · ${p.scope} scope · ${schedule} · ${p.granularity} · fine-tune ${plural(p.finetuneEpochs, 'epoch')}${describeRate(c)}`;
}

/** Where the fine-tune rate starts and how it moves; what a run stored before either was a setting omits. */
function describeRate(config: RunConfig): string {
  const p = config.prune;
  if (!p || p.finetuneEpochs === 0) return '';
  const scale = p.finetuneLrScale;
  const start =
    scale === undefined
      ? ''
      : ` at ${scale}× the training rate (${formatRate(scale * config.train.learningRate)})`;
  const lr: LrSchedule | undefined = p.finetuneLrSchedule;
  if (!lr) return start;
  if (lr === 'constant') return `${start}, constant rate`;
  const decay = lr === 'cosine' ? 'cosine decay' : 'step decay';
  return p.schedule.kind === 'gradual'
    ? `${start}, ${decay} after the last prune step`
    : `${start}, ${decay}`;
}

/** One export as a line: which it is, its size, its parity, where it is. */
export function exportLine(a: ArtifactSummary): string {
  const parity = a.parity ? ` · parity ${describeParity(a.parity, a.encoding)}` : '';
  return `${describeExport(a)} · gzip ${bytes(a.gzipBytes)} (raw ${bytes(a.bytes)})${parity} → ${a.zipPath ?? a.path}`;
}

export function printRunDetail(r: RunDetail, parentName: string | null, out: (line: string) => void): void {
  const field = (label: string, value: string) => out(`  ${label.padEnd(10)} ${value}`);
  out(`Run ${r.name} (${r.id}) — ${r.kind}, ${r.status}`);
  if (r.error) field('error', r.error);
  field('dataset', `${r.datasetName} (${r.datasetId})`);
  if (r.parentRunId) field('parent', `${parentName ?? 'a run since deleted'} (${r.parentRunId})`);
  field('training', describeTraining(r.config));
  const pruning = describePruning(r.config);
  if (pruning) field(r.config.sensitivity ? 'analysis' : 'pruning', pruning);
  field('backend', r.backend?.reason ?? '— (not started)');
  const times = [`created ${shortDate(r.createdAt)}`];
  if (r.startedAt) times.push(`started ${shortDate(r.startedAt)}`);
  if (r.finishedAt) times.push(`finished ${shortDate(r.finishedAt)}`);
  field('when', times.join(' · '));
  const best = r.best['validation.accuracy'];
  const accuracy = [
    ...(r.denseEvaluation ? [`dense ${percent(r.denseEvaluation.accuracy)}`] : []),
    ...(r.evaluation ? [`${r.denseEvaluation ? 'final ' : ''}test ${percent(r.evaluation.accuracy)}`] : []),
    ...(best ? [`best validation ${percent(best.value)} (epoch ${best.epoch})`] : []),
  ];
  field('accuracy', accuracy.length > 0 ? accuracy.join(' · ') : '—');
  if (r.sparsity !== null) {
    const last = r.pruneSteps.at(-1);
    const kept = last
      ? ` (${last.totals.keptPrunableWeights} of ${last.totals.prunableWeights} weights kept)`
      : '';
    field('sparsity', `${percent(r.sparsity)}${kept}`);
  }
  const exports = r.artifacts.filter((a) => a.format !== 'dataset-png');
  if (exports.length === 0) field('exports', 'none');
  exports.forEach((a, i) => field(i === 0 ? 'exports' : '', exportLine(a)));
}
