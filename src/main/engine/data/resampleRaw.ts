// Brings images that arrive as raw pixels (IDX, CIFAR) to the dataset's shape when the user asked for another
// size or channel count — through sharp, with the same resize and channel policy as decoded files.
import sharp from 'sharp';
import { PAD_BACKGROUND, type DecodeTarget } from './channelPolicy';
import { throwIfAborted } from './errors';
import { runPool } from './pool';

const fitOf = { crop: 'cover', pad: 'contain', stretch: 'fill' } as const;

export async function resampleRaw(
  pixels: Uint8Array,
  count: number,
  shape: [number, number, number],
  target: DecodeTarget,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const [height, width, channels] = shape;
  if (height === target.size && width === target.size && channels === target.channels) return pixels;
  const inBytes = height * width * channels;
  const outBytes = target.size * target.size * target.channels;
  const out = new Uint8Array(count * outBytes);
  const indices = Array.from({ length: count }, (_, i) => i);
  let done = 0;
  await runPool(
    indices,
    4,
    async (i) => {
      const src = pixels.subarray(i * inBytes, (i + 1) * inBytes);
      const data = await sharp(src, { raw: { width, height, channels: channels as 1 | 3 } })
        .toColourspace(target.channels === 1 ? 'b-w' : 'srgb')
        .resize(target.size, target.size, { fit: fitOf[target.resizeMode], background: PAD_BACKGROUND })
        .raw({ depth: 'uchar' })
        .toBuffer();
      out.set(data.subarray(0, outBytes), i * outBytes);
      if (++done % 1000 === 0) onProgress?.(done, count);
    },
    signal,
  );
  throwIfAborted(signal);
  return out;
}
