// A shortcut for the commonest dataset file: a small 8-bit gray or RGB PNG already at the target size
// (MNIST-style exports). sharp's fixed cost per call (~0.3 ms) dwarfs the work on a 28×28 image, so such
// files are inflated in-process with fast-png. Anything the shortcut is not sure to decode exactly as sharp
// would — palettes, transparency, 16 bits, colour profiles, EXIF orientation, resizing, colour→gray — returns
// null and takes the sharp path. tests/engine/data/fastPng.test.ts checks the two paths agree byte for byte.
import { decode } from 'fast-png';
import type { DecodeTarget } from './channelPolicy';

export interface FastDecoded {
  pixels: Uint8Array;
  width: number;
  height: number;
  layout: 'gray' | 'rgb';
}

const IHDR_END = 33;
const COLOR_GRAY = 0;
const COLOR_RGB = 2;

/** True when a chunk type appears in the file (cheap scan; false positives only cost the shortcut). */
function hasChunk(buf: Uint8Array, type: string): boolean {
  const [a, b, c, d] = [...type].map((ch) => ch.charCodeAt(0));
  for (let i = IHDR_END; i + 3 < buf.length; i++) {
    if (buf[i] === a && buf[i + 1] === b && buf[i + 2] === c && buf[i + 3] === d) return true;
  }
  return false;
}

export function tryFastPng(buf: Uint8Array, target: DecodeTarget): FastDecoded | null {
  if (buf.length < IHDR_END || buf.length > 64 * 1024) return null;
  if (buf[12] !== 0x49 || buf[13] !== 0x48 || buf[14] !== 0x44 || buf[15] !== 0x52) return null; // IHDR
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = buf[24];
  const colorType = buf[25];
  if (width !== target.size || height !== target.size || depth !== 8) return null;
  if (colorType !== COLOR_GRAY && !(colorType === COLOR_RGB && target.channels === 3)) return null;
  if (hasChunk(buf, 'tRNS') || hasChunk(buf, 'iCCP') || hasChunk(buf, 'eXIf')) return null;

  let decoded;
  try {
    decoded = decode(buf, { checkCrc: true });
  } catch {
    return null; // let sharp name the problem
  }
  const { data } = decoded;
  const pixelCount = width * height;
  if (!(data instanceof Uint8Array) || data.length !== pixelCount * decoded.channels) return null;
  if (decoded.channels === 1 && target.channels === 3) {
    const rgb = new Uint8Array(pixelCount * 3);
    for (let i = 0; i < pixelCount; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = data[i] ?? 0;
    return { pixels: rgb, width, height, layout: 'gray' };
  }
  return { pixels: data, width, height, layout: decoded.channels === 1 ? 'gray' : 'rgb' };
}
