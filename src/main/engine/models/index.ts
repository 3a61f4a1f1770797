import type * as tf from '@tensorflow/tfjs';
import type { PresetInfo, PresetName } from '../../../shared/dto';
import { quietTfjs } from '../quietTfjs';
import { countFlops, countParameters } from './counts';
import { kerasCifarCnnPreset } from './kerasCifarCnn';
import { lenet5Preset } from './lenet5';
import type { InputShape, PresetDefinition, PresetOptions } from './presetTypes';
import { vggBnPreset } from './vggBn';

export type { InputShape, PresetDefinition, PresetOptions } from './presetTypes';
export { countFlops, countParameters, flopsByLayer } from './counts';

const presets: Record<PresetName, PresetDefinition> = {
  'keras-cifar-cnn': kerasCifarCnnPreset,
  lenet5: lenet5Preset,
  'vgg-bn': vggBnPreset,
};

export const presetNames = Object.keys(presets) as PresetName[];

export function getPreset(name: string): PresetDefinition {
  const preset = (presets as Record<string, PresetDefinition | undefined>)[name];
  if (!preset) throw new Error(`Unknown model preset "${name}"; choose one of ${presetNames.join(', ')}.`);
  return preset;
}

/** Why a preset cannot take this input, or null when it can. */
export function presetUnfitReason(name: PresetName, inputShape: InputShape, classes: number): string | null {
  const preset = getPreset(name);
  const [h, w, c] = inputShape;
  if (![h, w, c].every((d) => Number.isInteger(d) && d > 0)) {
    return `input shape [${inputShape.join(', ')}] must be three positive integers [height, width, channels]`;
  }
  if (h < preset.minInputSize || w < preset.minInputSize) {
    return `${name} needs images of at least ${preset.minInputSize}×${preset.minInputSize} pixels, got ${h}×${w}`;
  }
  if (!Number.isInteger(classes) || classes < 2)
    return `a classifier needs at least 2 classes, got ${classes}`;
  return null;
}

/**
 * Builds a fresh model of the named preset. The model outputs logits (no softmax layer): train with
 * softmax cross-entropy from logits, and apply softmax yourself for probabilities.
 */
export function createPreset(name: PresetName, options: PresetOptions): tf.Sequential {
  const unfit = presetUnfitReason(name, options.inputShape, options.classes);
  if (unfit) throw new Error(`Cannot build ${name}: ${unfit}.`);
  return getPreset(name).build(options);
}

/** Facts about one preset for this input: parameters and FLOPs per image depend on the input shape. */
export function describePreset(name: PresetName, inputShape: InputShape, classes: number): PresetInfo {
  quietTfjs(); // builds a model, maybe on tfjs's plain-JS backend, outside any worker
  const preset = getPreset(name);
  const model = createPreset(name, { inputShape, classes, seed: 0 });
  try {
    return {
      name,
      description: preset.description,
      parameters: countParameters(model),
      flopsPerImage: countFlops(model),
    };
  } finally {
    model.dispose();
  }
}

/** Every preset that can take this input shape, with its size and cost. */
export function listPresets(inputShape: InputShape, classes: number): PresetInfo[] {
  return presetNames
    .filter((name) => presetUnfitReason(name, inputShape, classes) === null)
    .map((name) => describePreset(name, inputShape, classes));
}
