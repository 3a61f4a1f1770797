// Decodes one image file (already read into memory and sniffed) to the dataset's shape, or throws an
// ImageProblem saying why it cannot. The file is decoded once; a decompression bomb is refused from its
// header before any pixel is decoded.
import sharp from 'sharp';
import { decode as decodeBmp } from 'bmp-ts';
import { ALPHA_BACKGROUND, PAD_BACKGROUND, layoutName, type DecodeTarget } from './channelPolicy';
import { tryFastPng } from './fastPng';
import { ImageProblem, classifyDecodeError } from './imageProblem';
import type { DecodableFormat } from './sniffFormat';

export interface DecodedImage {
  /** size · size · channels bytes, HWC */
  pixels: Uint8Array;
  /** source size after EXIF orientation */
  width: number;
  height: number;
  /** source channel layout, see layoutName */
  layout: string;
}

const DECODE_TIMEOUT_SECONDS = 30;
const fitOf = { crop: 'cover', pad: 'contain', stretch: 'fill' } as const;

function checkDimensions(width: number, height: number, target: DecodeTarget): void {
  if (width * height > target.maxPixels)
    throw new ImageProblem(
      'too-many-pixels',
      `${width}×${height} is ${((width * height) / 1e6).toFixed(0)} megapixels, over the ${target.maxPixels / 1e6} MP limit`,
    );
  if (Math.min(width, height) < target.minSide)
    throw new ImageProblem(
      'too-small',
      `${width}×${height} is smaller than ${target.minSide} pixels on a side`,
    );
}

function toTarget(image: sharp.Sharp, hasAlpha: boolean, target: DecodeTarget): sharp.Sharp {
  let p = image.rotate(); // EXIF orientation
  if (hasAlpha) p = p.flatten({ background: ALPHA_BACKGROUND });
  return p
    .toColourspace(target.channels === 1 ? 'b-w' : 'srgb')
    .resize(target.size, target.size, { fit: fitOf[target.resizeMode], background: PAD_BACKGROUND })
    .raw({ depth: 'uchar' })
    .timeout({ seconds: DECODE_TIMEOUT_SECONDS }); // a file that makes the decoder spin costs 30 s, not the import
}

async function finish(image: sharp.Sharp, target: DecodeTarget): Promise<Uint8Array> {
  const { data, info } = await image.toBuffer({ resolveWithObject: true });
  if (info.channels !== target.channels || data.length !== target.size * target.size * target.channels)
    throw new ImageProblem('corrupt', `decoder returned ${info.width}×${info.height}×${info.channels}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** BMP: sharp's build has no BMP loader, so bmp-ts unpacks the pixels and sharp does the rest. */
async function decodeBmpFile(buf: Uint8Array, target: DecodeTarget): Promise<DecodedImage> {
  if (buf.length < 26) throw new ImageProblem('corrupt', 'BMP header is truncated');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const width = Math.abs(view.getInt32(18, true));
  const height = Math.abs(view.getInt32(22, true));
  checkDimensions(width, height, target);
  let rgba: Buffer;
  try {
    const bmp = decodeBmp(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), { toRGBA: true });
    rgba = bmp.data;
    if (rgba.length !== width * height * 4) throw new Error('pixel data does not match the header');
  } catch (err) {
    throw new ImageProblem('corrupt', `BMP: ${err instanceof Error ? err.message : String(err)}`);
  }
  const image = sharp(rgba, { raw: { width, height, channels: 4 } }).removeAlpha();
  return { pixels: await finish(toTarget(image, false, target), target), width, height, layout: 'rgb' };
}

/** The general path: sharp reads the header, refuses bombs and tiny images, then decodes once. */
export async function decodeWithSharp(buf: Uint8Array, target: DecodeTarget): Promise<DecodedImage> {
  try {
    // failOn 'truncated': a cut-off file is corrupt, a harmless decoder warning is not.
    const image = sharp(buf, { limitInputPixels: target.maxPixels, failOn: 'truncated', pages: 1 });
    const meta = await image.metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const width = (swap ? meta.height : meta.width) ?? 0;
    const height = (swap ? meta.width : meta.height) ?? 0;
    checkDimensions(width, height, target);
    const hasAlpha = meta.hasAlpha === true;
    const layout = layoutName(meta.space, hasAlpha, meta.depth === 'ushort');
    const pixels = await finish(toTarget(image, hasAlpha, target), target);
    return { pixels, width, height, layout };
  } catch (err) {
    const problem = classifyDecodeError(err);
    if (problem.reason === 'too-many-pixels') {
      const [width, height] = await headerSize(buf);
      if (width * height > target.maxPixels) checkDimensions(width, height, target); // throws, with the size
    }
    throw problem;
  }
}

/** Width and height from the header alone (no pixel limit: nothing is decoded), to word a refusal. */
async function headerSize(buf: Uint8Array): Promise<[number, number]> {
  const meta = await sharp(buf, { limitInputPixels: false })
    .metadata()
    .catch(() => null);
  return [meta?.width ?? 0, meta?.height ?? 0];
}

export async function decodeImage(
  buf: Uint8Array,
  format: DecodableFormat,
  target: DecodeTarget,
): Promise<DecodedImage> {
  if (format === 'png') {
    const fast = tryFastPng(buf, target);
    if (fast) return fast;
  }
  if (format === 'bmp') return decodeBmpFile(buf, target);
  return decodeWithSharp(buf, target);
}
