import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { WeightEncoding } from '../../../shared/dto';
import { buildOnnxGraph, type OnnxGraphParts } from './onnxGraph';
import { encodeOnnxModel, OnnxDataType } from './onnxProto';
import type { NamedWeight } from './snapshot';
import type { WrittenModel } from './tfjsWriter';

/** Opset 13: every op we emit exists there with today's semantics (Softmax over one axis), and every runtime in use reads it. */
export const ONNX_OPSET = 13;
/** IR version 7 is the one that goes with opset 13. */
export const ONNX_IR_VERSION = 7;
export const ONNX_FILE = 'model.onnx';

/** Who wrote the model, and facts a consumer needs (class names…) stored inside the model file itself. */
export interface Producer {
  name: string;
  version: string;
  /** ONNX metadata_props / tfjs userDefinedMetadata; values are strings (JSON where structured) */
  metadata?: Record<string, string>;
}

/**
 * Writes model.onnx: input `input` [N, C, H, W] float32 (pixels scaled as metadata.json says), output
 * `logits` [N, classes]. Weights are initializers in the export's encoding (float16 → Cast,
 * uint8 → DequantizeLinear), so onnxruntime or any ONNX tool can load it as is.
 */
export async function writeOnnxModel(
  model: tf.LayersModel,
  weights: NamedWeight[],
  encoding: WeightEncoding,
  outDir: string,
  producer: Producer,
): Promise<WrittenModel> {
  const parts = buildOnnxGraph(model, weights, encoding);
  const bytes = encodeOnnxModel(modelProto(parts, producer, true));
  await writeFile(join(outDir, ONNX_FILE), bytes);
  // The same graph with empty initializers: the structural part the sparse-size estimate adds back.
  const topologyBytes = encodeOnnxModel(modelProto(parts, producer, false));
  return { files: [ONNX_FILE], encoded: parts.encoded, topologyBytes };
}

function modelProto(parts: OnnxGraphParts, producer: Producer, withData: boolean): Record<string, unknown> {
  const [c, h, w] = parts.inputChw;
  const tensorType = (dims: Record<string, unknown>[]) => ({
    tensor_type: { elem_type: OnnxDataType.FLOAT, shape: { dim: dims } },
  });
  return {
    ir_version: ONNX_IR_VERSION,
    producer_name: producer.name,
    producer_version: producer.version,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    metadata_props: Object.entries(producer.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'prunelab',
      node: parts.nodes,
      initializer: parts.initializers.map((i) => (withData ? i : { ...i, raw_data: new Uint8Array(0) })),
      input: [
        {
          name: parts.inputName,
          type: tensorType([{ dim_param: 'N' }, { dim_value: c }, { dim_value: h }, { dim_value: w }]),
        },
      ],
      output: [
        { name: parts.outputName, type: tensorType([{ dim_param: 'N' }, { dim_value: parts.outputUnits }]) },
      ],
    },
  };
}
