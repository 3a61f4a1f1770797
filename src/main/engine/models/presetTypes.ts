import type * as tf from '@tensorflow/tfjs';
import type { PresetName } from '../../../shared/dto';

/** [height, width, channels] */
export type InputShape = readonly [number, number, number];

export interface PresetOptions {
  inputShape: InputShape;
  /** Number of output classes; the model outputs one logit per class (no softmax layer). */
  classes: number;
  /** Seeds every initializer; the same seed gives the same initial weights. */
  seed: number;
}

export interface PresetDefinition {
  name: PresetName;
  description: string;
  /** Smallest height and width the architecture accepts (valid convolutions and pools shrink it). */
  minInputSize: number;
  build(options: PresetOptions): tf.Sequential;
}
