// `prunelab demo` (`npm run demo`): the whole loop on the bundled sample — import → train → prune (taylor,
// 80%, short fine-tune) → evaluate → export tfjs + ONNX — ending with a readable summary. Uses a fresh
// temporary data dir unless --data-dir / PRUNELAB_HOME says otherwise.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ArtifactSummary } from '../../../shared/dto';
import { createAppServices } from '../../services';
import { bundledSamplePath } from '../../services/sample';
import { CliError, type CliCommand } from '../command';
import { bytes, call, followJob, importDataset, numberOption, percent } from '../session';
import { exportRun } from './export';

export const demoDefaults = {
  epochs: 6,
  finetuneEpochs: 3,
  sparsity: 0.8,
  preset: 'keras-cifar-cnn',
  seed: 42,
} as const;

export const demoCommand: CliCommand = {
  name: 'demo',
  summary:
    'the whole loop on the bundled sample: import → train → prune 80% (taylor) → evaluate → export tfjs + ONNX',
  usage:
    'prunelab demo [--sample <path>] [--epochs N] [--finetune-epochs N] [--seed S] [--data-dir <dir>] [--json]',
  options: {
    sample: { type: 'string' },
    epochs: { type: 'string' },
    'finetune-epochs': { type: 'string' },
    seed: { type: 'string' },
  },
  async run({ values, dataDir: resolvedDataDir, dataDirChosen, io }) {
    const started = Date.now();
    const sample = values.sample ? resolve(io.cwd, values.sample as string) : bundledSamplePath();
    if (!existsSync(sample)) throw new CliError(`the sample dataset is missing at ${sample}`);
    const dataDir = dataDirChosen ? resolvedDataDir : mkdtempSync(join(tmpdir(), 'prunelab-demo-'));
    const epochs = numberOption(values, 'epochs', 'int') ?? demoDefaults.epochs;
    const finetuneEpochs = numberOption(values, 'finetune-epochs', 'int') ?? demoDefaults.finetuneEpochs;
    const seed = numberOption(values, 'seed', 'int') ?? demoDefaults.seed;
    io.err(`demo: data dir ${dataDir}`);
    const services = await createAppServices({ dataDir, mode: 'cli' });
    try {
      io.err('demo: 1/4 importing the bundled sample');
      // Named by the services ("<folder> (sample)"); a demo run again on this data dir reuses it.
      const { dataset } = await importDataset(services, { path: sample, seed }, io);

      io.err(
        `demo: 2/4 training ${demoDefaults.preset} (${epochs} epochs) and pruning 80% by taylor saliency`,
      );
      const { runId, jobId } = await call(services, 'runs.start', {
        name: 'demo · taylor 80%',
        config: {
          datasetId: dataset.id,
          train: { preset: demoDefaults.preset, epochs, seed },
          prune: {
            criterion: 'taylor',
            target: { kind: 'sparsity', value: demoDefaults.sparsity },
            finetuneEpochs,
          },
        },
      });
      const pruneResult = (await followJob(services, jobId, io, 'prune')).result as {
        revivedWeights: number;
        sparsity: number;
        prunedAccuracy?: number;
      };
      const run = await call(services, 'runs.get', { id: runId });

      io.err('demo: 3/4 exporting TF.js (float32) with parity check');
      const tfjs = await exportRun(services, { runId, format: 'tfjs', encoding: 'float32', zip: false }, io);
      io.err('demo: 4/4 exporting ONNX (float32) with parity check');
      const onnx = await exportRun(services, { runId, format: 'onnx', encoding: 'float32', zip: false }, io);
      const seconds = (Date.now() - started) / 1000;

      const summary = {
        dataDir,
        datasetId: dataset.id,
        images: dataset.imported,
        classes: dataset.classes.length,
        trainRunId: run.parentRunId,
        pruneRunId: runId,
        backend: run.backend?.name ?? null,
        denseAccuracy: run.denseEvaluation?.accuracy ?? null,
        prunedAccuracy: pruneResult.prunedAccuracy ?? null,
        accuracy: run.evaluation?.accuracy ?? null,
        sparsity: pruneResult.sparsity,
        revivedWeights: pruneResult.revivedWeights,
        exports: [tfjs, onnx].map(exportFigures),
        seconds,
      };
      printSummary(summary, io.out);
      return summary;
    } finally {
      await services.close();
    }
  },
};

function exportFigures(a: ArtifactSummary) {
  return {
    format: a.format,
    encoding: a.encoding,
    path: a.path,
    bytes: a.bytes,
    gzipBytes: a.gzipBytes,
    denseGzipBytes: a.sizes?.dense.gzipBytes ?? null,
    sparseGzipBytes: a.sizes?.export.sparseGzipBytes ?? null,
    gzipRatio: a.sizes?.ratios.gzip ?? null,
    parity: a.parity
      ? {
          ok: a.parity.ok,
          runtime: a.parity.runtime,
          top1Agreement: a.parity.top1Agreement,
          maxAbsLogitDelta: a.parity.maxAbsLogitDelta,
        }
      : null,
  };
}

function printSummary(
  s: {
    images: number;
    classes: number;
    backend: string | null;
    denseAccuracy: number | null;
    prunedAccuracy: number | null;
    accuracy: number | null;
    sparsity: number;
    revivedWeights: number;
    exports: ReturnType<typeof exportFigures>[];
    seconds: number;
    dataDir: string;
  },
  out: (line: string) => void,
) {
  out('');
  out('PruneLab demo — summary');
  out(`  dataset    bundled sample: ${s.images} images, ${s.classes} classes · backend ${s.backend ?? '—'}`);
  out(
    `  accuracy   dense ${percent(s.denseAccuracy)}${s.prunedAccuracy === null ? '' : ` → pruned ${percent(s.prunedAccuracy)}`} → fine-tuned ${percent(s.accuracy)}`,
  );
  out(
    `  sparsity   ${percent(s.sparsity)} of prunable weights are zero (revived after fine-tuning: ${s.revivedWeights})`,
  );
  for (const e of s.exports) {
    const ratio =
      e.gzipRatio === null
        ? ''
        : ` (dense ${bytes(e.denseGzipBytes ?? 0)}, ×${e.gzipRatio.toFixed(2)} smaller)`;
    const parity = e.parity
      ? `parity ${e.parity.ok ? 'ok' : 'FAILED'}: top-1 ${percent(e.parity.top1Agreement)}, max |Δlogit| ${e.parity.maxAbsLogitDelta.toExponential(1)}`
      : 'parity —';
    out(`  ${e.format.padEnd(9)}  gzip ${bytes(e.gzipBytes)}${ratio} · ${parity}`);
    out(`             ${e.path}`);
  }
  out(`  time       ${s.seconds.toFixed(1)} s · data in ${s.dataDir}`);
}
