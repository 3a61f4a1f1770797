// The structured cell of bench:prune: 50% of the filters/units removed with the default criterion (a
// genuinely smaller network), fine-tuned with the protocol's budget, then both it and the dense model are
// exported as ONNX by PruneLab's own exporter and timed in onnxruntime-node (bench/onnxLatency.ts).
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Criterion, PruneConfig } from '../src/shared/dto';
import type { ImageSet } from '../src/main/engine/types';
import { exportModel } from '../src/main/engine/export/exportModel';
import { createPreset } from '../src/main/engine/models';
import { disposeMasks } from '../src/main/engine/prune/masks';
import { runPruneSession } from '../src/main/engine/prune/pruneSession';
import { measureOn } from '../src/main/engine/prune/sensitivity';
import { pruneConfig } from '../src/shared/schemas';
import { compareOnnxLatency, type OnnxTiming } from './onnxLatency';
import { benchTrainConfig } from './pruneCell';

export interface StructuredResult {
  seed: number;
  criterion: Criterion;
  sparsity: number;
  accuracy: number;
  unitSparsity: number;
  weightSparsity: number;
  onnx: OnnxTiming[];
  seconds: number;
}

export interface StructuredInput {
  /** the seed's trained dense model (exported as the baseline; left as it is) */
  model: tf.LayersModel;
  denseWeights: tf.Tensor[];
  seed: number;
  sparsity: number;
  train: ImageSet;
  test: ImageSet;
  finetuneEpochs: number;
  denseAccuracy: number;
}

const classes = Array.from({ length: 10 }, (_, i) => String(i));

export async function structuredCell(input: StructuredInput): Promise<StructuredResult> {
  const started = performance.now();
  // the app's defaults for a structured run, apart from the target and the fine-tune budget
  const prune: PruneConfig = pruneConfig.parse({
    granularity: 'structured',
    scoring: 'calibration',
    schedule: { kind: 'oneshot' },
    target: { kind: 'sparsity', value: input.sparsity },
    finetuneEpochs: input.finetuneEpochs,
  });
  const copy = createPreset('keras-cifar-cnn', { inputShape: [28, 28, 1], classes: 10, seed: input.seed });
  copy.setWeights(input.denseWeights);
  const session = await runPruneSession({
    model: copy,
    train: input.train,
    validation: null,
    test: input.test,
    classNames: classes,
    prune,
    finetune: benchTrainConfig(input.seed, input.finetuneEpochs),
    measureLatency: false,
  });
  const root = await mkdtemp(join(tmpdir(), 'prunelab-bench-structured-'));
  try {
    const accuracy = (await measureOn(session.model, input.test, 10)).accuracy;
    const parity = parityImagesOf(input.test, 200);
    const exportTo = async (model: tf.LayersModel, name: string) => {
      const outcome = await exportModel({
        model,
        masks: null,
        denseModel: null,
        format: 'onnx',
        encoding: 'float32',
        outDir: join(root, name),
        zip: false,
        classes,
        inputShape: [28, 28, 1],
        resizeMode: 'crop',
        runId: `bench-${name}`,
        runConfig: null,
        appVersion: 'bench',
        parityImages: parity,
      });
      if (!outcome.parity.ok) throw new Error(`the ${name} ONNX export does not predict like the model`);
      return join(
        outcome.path,
        outcome.files.find((f) => f.endsWith('.onnx'))!,
      );
    };
    const denseFile = await exportTo(input.model, 'dense');
    const prunedFile = await exportTo(session.model, 'structured');
    const onnx = await compareOnnxLatency(denseFile, prunedFile, { shape: [1, 28, 28] });
    const report = session.finalReport!;
    return {
      seed: input.seed,
      criterion: prune.criterion,
      sparsity: input.sparsity,
      accuracy,
      unitSparsity: report.units?.sparsity ?? Number.NaN,
      weightSparsity: report.achievedSparsity,
      onnx,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
    disposeMasks(session.masks);
    if (session.model !== copy) session.model.dispose();
    copy.dispose();
  }
}

/** The first `count` test images, scaled to [0, 1] as the model expects. */
function parityImagesOf(set: ImageSet, count: number) {
  const n = Math.min(count, set.count);
  const pixels = set.height * set.width * set.channels;
  const images = new Float32Array(n * pixels);
  for (let i = 0; i < images.length; i++) images[i] = set.images[i]! / 255;
  return { images, count: n, height: set.height, width: set.width, channels: set.channels };
}
