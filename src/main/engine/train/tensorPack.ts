import * as tf from '@tensorflow/tfjs';

/** Where one tensor lives inside a packed binary file. */
export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  /** byte offset into the .bin file */
  offset: number;
  bytes: number;
}

/** Packs tensors into one little-endian binary blob plus a JSON-able table of contents. */
export async function packTensors(
  named: { name: string; tensor: tf.Tensor }[],
): Promise<{ entries: TensorEntry[]; data: Buffer }> {
  const entries: TensorEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const { name, tensor } of named) {
    const dtype = tensor.dtype;
    if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
      throw new Error(`Cannot save tensor ${name} of dtype ${tensor.dtype}.`);
    }
    const values = typedArrayFor(dtype, await tensor.data());
    const bytes = Buffer.from(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    entries.push({ name, shape: tensor.shape, dtype, offset, bytes: bytes.byteLength });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  return { entries, data: Buffer.concat(chunks) };
}

/**
 * The values as the typed array their dtype is stored as. A backend may hand back another kind: tfjs's
 * cpu backend keeps a bool tensor's Uint8Array when casting it to float32 or int32, so data() of such a
 * float32 tensor has one byte per element instead of four.
 */
function typedArrayFor(
  dtype: TensorEntry['dtype'],
  values: tf.TypedArray | string[],
): Float32Array | Int32Array | Uint8Array {
  if (!ArrayBuffer.isView(values)) throw new Error(`Cannot save string values as ${dtype}.`);
  switch (dtype) {
    case 'float32':
      return values instanceof Float32Array ? values : Float32Array.from(values);
    case 'int32':
      return values instanceof Int32Array ? values : Int32Array.from(values);
    case 'bool':
      return values instanceof Uint8Array ? values : Uint8Array.from(values);
  }
}

/** The tensor an entry describes; `where` names the file in error messages. */
export function unpackTensor(data: Buffer, entry: TensorEntry, where: string): tf.Tensor {
  if (entry.offset + entry.bytes > data.byteLength) {
    throw new Error(`${where} is truncated: ${entry.name} lies past the end of its data file.`);
  }
  // copy out so the typed array is aligned and owns its memory
  const bytes = new Uint8Array(data.subarray(entry.offset, entry.offset + entry.bytes));
  const values =
    entry.dtype === 'float32'
      ? new Float32Array(bytes.buffer)
      : entry.dtype === 'int32'
        ? new Int32Array(bytes.buffer)
        : bytes;
  return tf.tensor(values, entry.shape, entry.dtype);
}
