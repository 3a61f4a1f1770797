// Cached pixels back to PNG bytes (samples for the UI, dataset export), through sharp.
import sharp from 'sharp';

export async function encodePng(
  pixels: Uint8Array,
  height: number,
  width: number,
  channels: number,
): Promise<Buffer> {
  const image = sharp(pixels, { raw: { width, height, channels: channels as 1 | 3 } });
  // a 1-channel raw input would otherwise be written as RGB
  return (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer();
}
