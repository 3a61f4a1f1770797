// A shortcut for the commonest dataset file: a small 8-bit gray or RGB PNG already at the target size
// (MNIST-style exports). sharp's fixed cost per call (~0.3 ms) dwarfs the work on a 28×28 image, and the
// pure-JS PNG libraries measured slower still (their inflate allocates per chunk), so such files are
// inflated with Node's native zlib and unfiltered here. The shortcut covers only what it is sure to decode
// exactly as sharp would: non-interlaced 8-bit gray or RGB, no transparency, colour profile, EXIF or gamma
// chunk, checksums intact, no resize, no colour → gray. Everything else returns null and takes the sharp
// path. tests/engine/data/decodeImage.test.ts checks the two paths agree byte for byte.
// Inflation stops at the size the header declares (height rows of 1 filter byte + the row's bytes): image
// data running past it makes the file corrupt, so a few hundred KiB can never inflate to hundreds of MiB.
import { crc32, inflateSync } from 'node:zlib';
import type { DecodeTarget } from './channelPolicy';
import { ImageProblem } from './imageProblem';

export interface FastDecoded {
  pixels: Uint8Array;
  width: number;
  height: number;
  layout: 'gray' | 'rgb';
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOR_GRAY = 0;
const COLOR_RGB = 2;
/** Ancillary chunks that cannot change the decoded pixels; any other one sends the file to sharp. */
const harmless = new Set(['tEXt', 'zTXt', 'iTXt', 'pHYs', 'tIME']);

const typeAt = (buf: Uint8Array, at: number): string =>
  String.fromCharCode(buf[at] ?? 0, buf[at + 1] ?? 0, buf[at + 2] ?? 0, buf[at + 3] ?? 0);

/** The IDAT stream of a plain PNG, or null when anything about the file is outside the shortcut. */
function collectIdat(buf: Uint8Array, view: DataView): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let at = 8;
  while (at + 12 <= buf.length) {
    const length = view.getUint32(at);
    const type = typeAt(buf, at + 4);
    const end = at + 12 + length;
    if (end > buf.length) return null;
    if (crc32(buf.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) return null;
    if (type === 'IEND')
      return parts.length === 0 ? null : parts.length === 1 ? (parts[0] ?? null) : Buffer.concat(parts);
    if (type === 'IDAT') parts.push(buf.subarray(at + 8, at + 8 + length));
    else if (type !== 'IHDR' && !harmless.has(type)) return null;
    at = end;
  }
  return null; // no IEND: truncated, let sharp judge
}

/** The largest file the shortcut takes (MNIST-style PNGs are well under 1 KiB). */
export const FAST_PNG_MAX_BYTES = 256 * 1024;

/** Undoes the PNG row filters (None, Sub, Up, Average, Paeth) into a fresh output buffer. */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array | null {
  const stride = width * bpp;
  if (raw.length !== height * (stride + 1)) return null;
  const out = new Uint8Array(height * stride);
  // One branch per row, not per byte: this loop runs for every pixel of every small PNG imported.
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    const hasPrev = y > 0;
    if (filter === 0 || (filter === 2 && !hasPrev)) {
      out.set(raw.subarray(src, src + stride), row);
    } else if (filter === 1 || (filter === 4 && !hasPrev)) {
      // Paeth on the first row predicts from the left neighbour only, as Sub does
      for (let x = 0; x < stride; x++)
        out[row + x] = (raw[src + x]! + (x >= bpp ? out[row + x - bpp]! : 0)) & 0xff;
    } else if (filter === 2) {
      for (let x = 0; x < stride; x++) out[row + x] = (raw[src + x]! + out[prev + x]!) & 0xff;
    } else if (filter === 3) {
      for (let x = 0; x < stride; x++) {
        const left = x >= bpp ? out[row + x - bpp]! : 0;
        const up = hasPrev ? out[prev + x]! : 0;
        out[row + x] = (raw[src + x]! + ((left + up) >> 1)) & 0xff;
      }
    } else if (filter === 4) {
      for (let x = 0; x < stride; x++) {
        const a = x >= bpp ? out[row + x - bpp]! : 0;
        const b = out[prev + x]!;
        const c = x >= bpp ? out[prev + x - bpp]! : 0;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        out[row + x] = (raw[src + x]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
    } else {
      return null;
    }
  }
  return out;
}

function tooLong(width: number, height: number): ImageProblem {
  return new ImageProblem(
    'corrupt',
    `the image data inflates past the ${width}×${height} its header declares; the file is damaged or a decompression bomb`,
  );
}

/**
 * The decoded image, or null when the file is outside the shortcut. Throws an ImageProblem when the image
 * data runs past what the header declares.
 */
export function tryFastPng(buf: Uint8Array, target: DecodeTarget): FastDecoded | null {
  if (buf.length < 45 || buf.length > FAST_PNG_MAX_BYTES || SIGNATURE.some((b, i) => buf[i] !== b))
    return null;
  if (typeAt(buf, 12) !== 'IHDR') return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const [depth, colorType, compression, filterMethod, interlace] = [
    buf[24],
    buf[25],
    buf[26],
    buf[27],
    buf[28],
  ];
  if (width !== target.size || height !== target.size || depth !== 8) return null;
  if (compression !== 0 || filterMethod !== 0 || interlace !== 0) return null;
  if (colorType !== COLOR_GRAY && !(colorType === COLOR_RGB && target.channels === 3)) return null;
  const idat = collectIdat(buf, view);
  if (!idat) return null;
  const bpp = colorType === COLOR_GRAY ? 1 : 3;
  const declared = height * (width * bpp + 1);
  let raw: Uint8Array;
  try {
    // One byte over what the header declares is enough to know the data runs past it.
    raw = inflateSync(idat, { maxOutputLength: declared + 1 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLong(width, height);
    return null; // corrupt: let sharp name the problem
  }
  if (raw.length > declared) throw tooLong(width, height);
  const pixels = unfilter(raw, width, height, bpp);
  if (!pixels) return null;
  if (bpp === 1 && target.channels === 3) {
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = pixels[i] ?? 0;
    return { pixels: rgb, width, height, layout: 'gray' };
  }
  return { pixels, width, height, layout: bpp === 1 ? 'gray' : 'rgb' };
}
