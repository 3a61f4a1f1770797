import * as tf from '@tensorflow/tfjs';
import { planChannelFlow, type ChannelSlice, type LayerFlow } from './channelFlow';

/**
 * Builds a genuinely smaller copy of a sequential model without the removed units: each pruned
 * Conv2D/Dense gets fewer filters/units, the layers after it get their input channels (or flattened
 * features) and batch-norm parameters sliced to match. Before any training its logits equal those of
 * the original with the removed units zeroed (see zeroRemovedUnits). The input model is left as it is.
 */
export async function shrinkModel(
  model: tf.LayersModel,
  keepUnits: ReadonlyMap<string, number[]>,
): Promise<tf.LayersModel> {
  const flows = planChannelFlow(model, keepUnits);
  const topology = model.toJSON(null, false) as unknown as SequentialJson;
  topology.config.layers.forEach((entry, i) => {
    const flow = flows[i]!;
    const keep = keepUnits.get(flow.layer.name);
    if (!keep) return;
    if (entry.class_name === 'Conv2D') entry.config.filters = keep.length;
    else if (entry.class_name === 'Dense') entry.config.units = keep.length;
  });
  const smaller = await tf.models.modelFromJSON({
    modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'],
  });
  try {
    flows.forEach((flow, i) => {
      const target = smaller.layers[i]!;
      if (flow.layer.weights.length === 0) return;
      const values = tf.tidy(() => slicedWeights(flow, keepUnits.get(flow.layer.name) ?? null));
      target.setWeights(values);
      tf.dispose(values);
    });
  } catch (error) {
    smaller.dispose();
    throw error;
  }
  return smaller;
}

interface SequentialJson {
  class_name: string;
  config: { layers: { class_name: string; config: Record<string, unknown> }[] };
}

function slicedWeights(flow: LayerFlow, keep: ChannelSlice): tf.Tensor[] {
  const kind = flow.layer.getClassName();
  return flow.layer.weights.map((w) => {
    let t: tf.Tensor = w.read();
    const name = w.originalName;
    if (kind === 'Conv2D' || kind === 'Dense') {
      if (name.endsWith('/kernel')) {
        const inputAxis = t.rank - 2;
        if (flow.input) t = tf.gather(t, flow.input, inputAxis);
        if (keep) t = tf.gather(t, keep, t.rank - 1);
      } else if (keep) {
        t = tf.gather(t, keep, 0); // bias
      }
    } else if (kind === 'BatchNormalization' && flow.input) {
      t = tf.gather(t, flow.input, 0);
    }
    return tf.clone(t);
  });
}

/**
 * The masked form of a structured prune, in place: a removed unit's kernel column and bias are zeroed,
 * and so are the scale and offset of the batch norm that follows it, so the unit outputs exactly zero.
 * A shrunk model must predict like this one.
 */
export function zeroRemovedUnits(model: tf.LayersModel, keepUnits: ReadonlyMap<string, number[]>): void {
  for (const flow of planChannelFlow(model, keepUnits)) {
    const kind = flow.layer.getClassName();
    const keep = keepUnits.get(flow.layer.name);
    if ((kind === 'Conv2D' || kind === 'Dense') && keep) {
      for (const w of flow.layer.weights) zeroOutside(w, keep);
    } else if (kind === 'BatchNormalization' && flow.input) {
      for (const w of flow.layer.weights) {
        if (/\/(gamma|beta)$/.test(w.originalName)) zeroOutside(w, flow.input);
      }
    }
  }
}

function zeroOutside(weight: tf.LayerVariable, keep: number[]): void {
  const units = weight.shape[weight.shape.length - 1] ?? 0;
  const flags = new Float32Array(units);
  for (const k of keep) flags[k] = 1;
  tf.tidy(() => {
    weight.write(tf.mul(weight.read(), tf.tensor1d(flags)));
  });
}
