import type { WeightEncoding } from '../../../shared/dto';
import { encodeWeight, type EncodedWeight } from './encodeWeights';
import { OnnxAttributeType, OnnxDataType } from './onnxProto';

// Collects ONNX nodes and initializers with unique names; stores every weight in the export's
// encoding (float16 → Cast, uint8 → DequantizeLinear) and hands back the name carrying float32.

export interface OnnxNode {
  op_type: string;
  name: string;
  input: string[];
  output: string[];
  attribute: Record<string, unknown>[];
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  readonly encoded: EncodedWeight[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly encoding: WeightEncoding) {}

  unique(base: string): string {
    let name = base.replace(/[^A-Za-z0-9_./-]/g, '_');
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  node(
    op: string,
    inputs: string[],
    attrs: Record<string, unknown>[] = [],
    outName?: string,
    reserved = false,
  ): string {
    const output =
      reserved && outName ? outName : this.unique(outName ?? `${inputs[0] ?? op}_${op.toLowerCase()}`);
    this.nodes.push({
      op_type: op,
      name: this.unique(`${op}_${this.nodes.length}`),
      input: inputs,
      output: [output],
      attribute: attrs,
    });
    return output;
  }

  /** A float tensor stored in the export's encoding; returns the name that carries float32 values. */
  weight(name: string, dims: number[], values: Float32Array): string {
    const encoded = encodeWeight({ name, shape: dims, values }, this.encoding);
    this.encoded.push(encoded);
    if (encoded.kind === 'float32') return this.init(name, dims, OnnxDataType.FLOAT, encoded.bytes);
    if (encoded.kind === 'float16') {
      const stored = this.init(`${name}_fp16`, dims, OnnxDataType.FLOAT16, encoded.bytes);
      return this.node('Cast', [stored], [intAttr('to', OnnxDataType.FLOAT)], name);
    }
    const quant = encoded.quant as NonNullable<typeof encoded.quant>;
    const stored = this.init(`${name}_quantized`, dims, OnnxDataType.UINT8, encoded.bytes);
    const scale = this.init(
      `${name}_scale`,
      [],
      OnnxDataType.FLOAT,
      new Uint8Array(new Float32Array([quant.scale]).buffer),
    );
    const zero = this.init(`${name}_zero_point`, [], OnnxDataType.UINT8, new Uint8Array([quant.zeroPoint]));
    return this.node('DequantizeLinear', [stored, scale, zero], [], name);
  }

  private init(name: string, dims: number[], dataType: number, raw: Uint8Array): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims, data_type: dataType, raw_data: raw });
    return unique;
  }
}

export function intAttr(name: string, i: number): Record<string, unknown> {
  return { name, type: OnnxAttributeType.INT, i };
}
export function intsAttr(name: string, ints: number[]): Record<string, unknown> {
  return { name, type: OnnxAttributeType.INTS, ints };
}
export function floatAttr(name: string, f: number): Record<string, unknown> {
  return { name, type: OnnxAttributeType.FLOAT, f };
}

/** Converts a sequential chain of supported tfjs layers; anything else is a clear error. */
