import type * as tf from '@tensorflow/tfjs';

/** A weight tensor pruning may zero: the kernel of a Conv2D or Dense layer (never biases or BN params). */
export interface PrunableKernel {
  /** The weight's originalName, e.g. 'conv1/kernel' — the key masks are stored under (see modelState). */
  key: string;
  layerName: string;
  kind: 'conv' | 'dense';
  /** conv: [kh, kw, in, out]; dense: [in, out] */
  shape: number[];
  size: number;
  variable: tf.LayerVariable;
}

export interface KernelSelection {
  pruneFirstLayer: boolean;
  pruneLastLayer: boolean;
  /** Restrict to these layer names (sensitivity and single-layer prunes); all eligible when absent. */
  onlyLayers?: readonly string[];
}

const kinds: Record<string, PrunableKernel['kind']> = { Conv2D: 'conv', Dense: 'dense' };

/** Every Conv2D/Dense kernel of the model in layer order, whether or not this run may prune it. */
export function allKernels(model: tf.LayersModel): PrunableKernel[] {
  const found: PrunableKernel[] = [];
  for (const layer of model.layers) {
    const kind = kinds[layer.getClassName()];
    if (!kind) continue;
    const variable = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
    if (!variable) continue;
    const shape = variable.shape.map((d) => d ?? 0);
    found.push({
      key: variable.originalName,
      layerName: layer.name,
      kind,
      shape,
      size: shape.reduce((a, b) => a * b, 1),
      variable,
    });
  }
  return found;
}

/** The kernels this run prunes: first and last layer as configured, optionally only the named layers. */
export function findPrunableKernels(model: tf.LayersModel, selection: KernelSelection): PrunableKernel[] {
  const all = allKernels(model);
  const chosen = all.filter((k, i) => {
    if (i === 0 && !selection.pruneFirstLayer) return false;
    if (i === all.length - 1 && !selection.pruneLastLayer) return false;
    return !selection.onlyLayers || selection.onlyLayers.includes(k.layerName);
  });
  if (selection.onlyLayers) {
    const missing = selection.onlyLayers.filter((n) => !all.some((k) => k.layerName === n));
    if (missing.length > 0) {
      throw new Error(
        `No prunable layer named ${missing.join(', ')}; prunable layers are ${all.map((k) => k.layerName).join(', ')}.`,
      );
    }
  }
  if (chosen.length === 0) {
    throw new Error(
      'Nothing to prune: the model has no Conv2D or Dense kernel left once first/last layers are excluded.',
    );
  }
  return chosen;
}

/** [output units, inputs·kh·kw] of a kernel, the shape its mask bitmap is reported in. */
export function unitsAndFanIn(kernel: Pick<PrunableKernel, 'shape'>): { units: number; fanIn: number } {
  const units = kernel.shape[kernel.shape.length - 1] ?? 1;
  return { units, fanIn: kernel.shape.reduce((a, b) => a * b, 1) / units };
}
