import type * as tf from '@tensorflow/tfjs';
import type { WeightEncoding } from '../../../shared/dto';
import type { EncodedWeight } from './encodeWeights';
import {
  floatAttr,
  GraphBuilder,
  intAttr,
  intsAttr,
  type OnnxInitializer,
  type OnnxNode,
} from './onnxGraphBuilder';
import { padsFor, pair, permuteRowsToChw, transposeHwioToOihw } from './onnxLayout';
import type { NamedWeight } from './snapshot';

export type { OnnxInitializer, OnnxNode } from './onnxGraphBuilder';

// Turns a chain of tfjs layers into ONNX nodes. tfjs computes in NHWC; ONNX's Conv and pooling are
// NCHW, so the graph takes NCHW input and every kernel is transposed once, here. Flatten is where the
// two layouts meet: tfjs flattens (h, w, c), ONNX (c, h, w). Rather than transposing activations at run
// time we permute the rows of the Dense kernel that consumes the flattened vector.

export interface OnnxGraphParts {
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  /** every weight as stored (before the scale/zero-point side tensors), for the size accounting */
  encoded: EncodedWeight[];
  inputName: string;
  /** [channels, height, width] of one image */
  inputChw: [number, number, number];
  outputName: string;
  outputUnits: number;
}

type Layout =
  | { rank: 4; c: number; h: number; w: number }
  /** a vector; `fromChw` is set while its order is still ONNX's (c,h,w) rather than tfjs's (h,w,c) */
  | { rank: 2; units: number; fromChw: [number, number, number] | null };

const IDENTITY_LAYERS = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

export function buildOnnxGraph(
  model: tf.LayersModel,
  weights: NamedWeight[],
  encoding: WeightEncoding,
): OnnxGraphParts {
  const inputShape = model.inputs[0]?.shape;
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || !inputShape || inputShape.length !== 4) {
    throw new Error(
      'ONNX export supports single-input image models ([batch, height, width, channels]) with one output.',
    );
  }
  const [, h, w, c] = inputShape as [null, number, number, number];
  const byName = new Map(weights.map((wt) => [wt.name, wt]));
  const g = new GraphBuilder(encoding);
  const inputName = g.unique('input');
  // Reserved up front so a layer that happens to be called 'logits' cannot take the graph output's name.
  const outputName = g.unique('logits');
  let x = inputName;
  let layout: Layout = { rank: 4, c, h, w };

  for (const layer of model.layers) {
    const kind = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const weightOf = (suffix: string): NamedWeight => {
      const variable = layer.weights.find((v) => v.originalName.endsWith(`/${suffix}`));
      const found = variable ? byName.get(variable.originalName) : undefined;
      if (!found) throw new Error(`Layer ${layer.name} (${kind}) has no weight "${suffix}".`);
      return found;
    };
    if (kind === 'InputLayer' || IDENTITY_LAYERS.has(kind)) continue;
    if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
      throw new Error(
        `Layer ${layer.name} uses ${String(config.dataFormat)}; only channelsLast models are exported.`,
      );
    }
    switch (kind) {
      case 'Conv2D': {
        const l4 = expect4d(layout, layer.name);
        const kernel = weightOf('kernel');
        const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
        const strides = pair(config.strides);
        const dilations = pair(config.dilationRate ?? 1);
        const pads = padsFor(String(config.padding), [l4.h, l4.w], [kh, kw], strides, dilations);
        const wName = g.weight(
          `${layer.name}.weight`,
          [cout, cin, kh, kw],
          transposeHwioToOihw(kernel.values, kh, kw, cin, cout),
        );
        const inputs = [x, wName];
        if (config.useBias !== false)
          inputs.push(g.weight(`${layer.name}.bias`, [cout], weightOf('bias').values));
        x = g.node(
          'Conv',
          inputs,
          [
            intsAttr('kernel_shape', [kh, kw]),
            intsAttr('strides', strides),
            intsAttr('dilations', dilations),
            intsAttr('pads', pads),
            intAttr('group', 1),
          ],
          layer.name,
        );
        const out = layer.outputShape as number[];
        layout = { rank: 4, h: out[1] as number, w: out[2] as number, c: cout };
        x = activation(g, x, config.activation, layer.name, layout);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const l4 = expect4d(layout, layer.name);
        const size = pair(config.poolSize);
        const strides = config.strides == null ? size : pair(config.strides);
        const pads = padsFor(String(config.padding), [l4.h, l4.w], size, strides, [1, 1]);
        const op = kind === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
        // tfjs's 'same' average pooling divides by the real (unpadded) count: ONNX's count_include_pad = 0.
        x = g.node(
          op,
          [x],
          [intsAttr('kernel_shape', size), intsAttr('strides', strides), intsAttr('pads', pads)],
          layer.name,
        );
        const out = layer.outputShape as number[];
        layout = { rank: 4, h: out[1] as number, w: out[2] as number, c: l4.c };
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        const l4 = expect4d(layout, layer.name);
        const pooled = g.node(
          kind === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool',
          [x],
          [],
          `${layer.name}_nchw`,
        );
        x = g.node('Flatten', [pooled], [intAttr('axis', 1)], layer.name);
        layout = { rank: 2, units: l4.c, fromChw: null };
        break;
      }
      case 'Flatten': {
        const l4 = expect4d(layout, layer.name);
        x = g.node('Flatten', [x], [intAttr('axis', 1)], layer.name);
        layout = { rank: 2, units: l4.c * l4.h * l4.w, fromChw: [l4.c, l4.h, l4.w] };
        break;
      }
      case 'Dense': {
        if (layout.rank !== 2)
          throw new Error(`Dense layer ${layer.name} must follow Flatten or global pooling for ONNX export.`);
        const kernel = weightOf('kernel');
        const [units, outUnits] = kernel.shape as [number, number];
        const rows = layout.fromChw
          ? permuteRowsToChw(kernel.values, layout.fromChw, outUnits)
          : kernel.values;
        const inputs = [x, g.weight(`${layer.name}.weight`, [units, outUnits], rows)];
        if (config.useBias !== false)
          inputs.push(g.weight(`${layer.name}.bias`, [outUnits], weightOf('bias').values));
        x = g.node('Gemm', inputs, [], layer.name);
        layout = { rank: 2, units: outUnits, fromChw: null };
        x = activation(g, x, config.activation, layer.name, layout);
        break;
      }
      case 'BatchNormalization': {
        const axis = config.axis as number;
        const rank = layout.rank;
        if (axis !== -1 && axis !== rank - 1)
          throw new Error(
            `BatchNormalization ${layer.name} normalises axis ${axis}; only the channel axis is exported.`,
          );
        const channels = layout.rank === 4 ? layout.c : layout.units;
        const order = layout.rank === 2 ? layout.fromChw : null;
        const vec = (values: Float32Array) => (order ? permuteRowsToChw(values, order, 1) : values);
        const gamma = config.scale !== false ? weightOf('gamma').values : new Float32Array(channels).fill(1);
        const beta = config.center !== false ? weightOf('beta').values : new Float32Array(channels);
        const inputs = [
          x,
          g.weight(`${layer.name}.gamma`, [channels], vec(gamma)),
          g.weight(`${layer.name}.beta`, [channels], vec(beta)),
          g.weight(`${layer.name}.moving_mean`, [channels], vec(weightOf('moving_mean').values)),
          g.weight(`${layer.name}.moving_variance`, [channels], vec(weightOf('moving_variance').values)),
        ];
        x = g.node(
          'BatchNormalization',
          inputs,
          [floatAttr('epsilon', config.epsilon as number)],
          layer.name,
        );
        break;
      }
      case 'Activation':
        x = activation(g, x, config.activation, layer.name, layout, true);
        break;
      case 'ReLU':
        if (config.maxValue != null)
          throw new Error(`ReLU ${layer.name} with maxValue is not supported by ONNX export.`);
        x = g.node('Relu', [x], [], layer.name);
        break;
      case 'Softmax':
        x = activation(g, x, 'softmax', layer.name, layout, true);
        break;
      default:
        throw new Error(`ONNX export does not support layer ${layer.name} of kind ${kind}.`);
    }
  }
  if (layout.rank !== 2) throw new Error('ONNX export expects the model to end in a vector of class scores.');
  g.node('Identity', [x], [], outputName, true);
  return {
    nodes: g.nodes,
    initializers: g.initializers,
    encoded: g.encoded,
    inputName,
    inputChw: [c, h, w],
    outputName,
    outputUnits: layout.units,
  };
}

function activation(
  g: GraphBuilder,
  x: string,
  name: unknown,
  layerName: string,
  layout: Layout,
  own = false,
): string {
  const outName = own ? layerName : `${layerName}_${String(name)}`;
  switch (name) {
    case undefined:
    case null:
    case 'linear':
      return x;
    case 'relu':
      return g.node('Relu', [x], [], outName);
    case 'sigmoid':
      return g.node('Sigmoid', [x], [], outName);
    case 'tanh':
      return g.node('Tanh', [x], [], outName);
    case 'softmax':
      // tfjs's softmax runs over the last axis; in NCHW that is not the channel axis, so only vectors.
      if (layout.rank !== 2)
        throw new Error(`Softmax on a feature map (${layerName}) is not supported by ONNX export.`);
      return g.node('Softmax', [x], [intAttr('axis', -1)], outName);
    default:
      throw new Error(`Activation "${String(name)}" of ${layerName} is not supported by ONNX export.`);
  }
}

function expect4d(layout: Layout, layerName: string): Extract<Layout, { rank: 4 }> {
  if (layout.rank !== 4)
    throw new Error(`Layer ${layerName} needs a feature map but follows a flattened vector.`);
  return layout;
}
