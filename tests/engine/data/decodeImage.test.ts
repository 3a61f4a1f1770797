import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { DecodeTarget } from '../../../src/main/engine/data/channelPolicy';
import { decodeImage, decodeWithSharp } from '../../../src/main/engine/data/decodeImage';
import { tryFastPng } from '../../../src/main/engine/data/fastPng';
import { sniffFormat } from '../../../src/main/engine/data/sniffFormat';
import { grayPixels, make, pngWithEveryFilter, rgbPixels } from './fixtures/images';

const target = (over: Partial<DecodeTarget> = {}): DecodeTarget => ({
  size: 16,
  channels: 3,
  resizeMode: 'stretch',
  maxPixels: 1e8,
  minSide: 8,
  ...over,
});

async function decode(buf: Uint8Array, t: DecodeTarget) {
  const sniffed = sniffFormat(buf);
  if (sniffed.kind !== 'image') throw new Error(`not an image: ${JSON.stringify(sniffed)}`);
  return decodeImage(buf, sniffed.format, t);
}

/** Mean of channel 0 over a rectangle of an HWC image. */
function meanOf(
  px: Uint8Array,
  size: number,
  ch: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): number {
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      sum += px[(y * size + x) * ch] ?? 0;
      n++;
    }
  return sum / n;
}

describe('sniffFormat reads magic bytes, not names', () => {
  it.each([
    ['jpeg', () => make.jpeg(1)],
    ['png', () => make.png(1)],
    ['webp', () => make.webp(1)],
    ['gif', () => make.gif(1)],
    ['tiff', () => make.tiff(1)],
    ['avif', () => make.avif(1)],
    ['bmp', async () => make.bmp(1)],
  ])('%s', async (format, build) => {
    expect(sniffFormat(new Uint8Array(await build()))).toEqual({ kind: 'image', format });
  });

  it('names what is not an image', () => {
    expect(sniffFormat(Buffer.from('%PDF-1.7'))).toEqual({ kind: 'not-image', what: 'a PDF document' });
    expect(sniffFormat(Buffer.from('hello world'))).toEqual({ kind: 'not-image', what: 'a text file' });
    expect(sniffFormat(Buffer.from([0, 1, 2, 3, 250, 251]))).toEqual({
      kind: 'not-image',
      what: 'an unknown binary file',
    });
    expect(sniffFormat(Buffer.from('8BPS\0\x01'))).toEqual({ kind: 'unsupported', format: 'psd' });
  });
});

describe('decodeImage', () => {
  it('applies EXIF orientation: a 40×20 image tagged "rotate 90° clockwise" comes out 20×40', async () => {
    // left half white, right half black; after a 90° clockwise turn the top half is white
    const w = 40;
    const h = 20;
    const px = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w / 2; x++) px.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const jpeg = await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const out = await decode(jpeg, target({ size: 16, resizeMode: 'stretch' }));
    expect([out.width, out.height]).toEqual([20, 40]);
    expect(meanOf(out.pixels, 16, 3, 0, 0, 16, 6)).toBeGreaterThan(230);
    expect(meanOf(out.pixels, 16, 3, 0, 10, 16, 16)).toBeLessThan(25);
  });

  it('resize modes: crop fills, pad keeps the whole image on black, stretch distorts', async () => {
    const white = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const crop = await decode(white, target({ resizeMode: 'crop' }));
    const pad = await decode(white, target({ resizeMode: 'pad' }));
    const stretch = await decode(white, target({ resizeMode: 'stretch' }));
    expect(Math.min(...crop.pixels)).toBe(255);
    expect(Math.min(...stretch.pixels)).toBe(255);
    // pad: the 2:1 image becomes 16×8 centred, with black bands above and below
    expect(meanOf(pad.pixels, 16, 3, 0, 0, 16, 3)).toBe(0);
    expect(meanOf(pad.pixels, 16, 3, 0, 5, 16, 11)).toBe(255);
    expect(meanOf(pad.pixels, 16, 3, 0, 13, 16, 16)).toBe(0);
  });

  it('channel policy: RGBA is flattened onto white, CMYK becomes sRGB, 16 bits become 8', async () => {
    const transparent = await sharp({
      create: { width: 16, height: 16, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const rgba = await decode(transparent, target());
    expect(rgba.layout).toBe('rgba');
    expect(Math.min(...rgba.pixels)).toBe(255);

    const red = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#ff0000' } });
    const cmyk = await decode(
      await red.clone().toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer(),
      target(),
    );
    expect(cmyk.layout).toBe('cmyk');
    expect(cmyk.pixels[0]).toBeGreaterThan(200);
    expect(cmyk.pixels[2]).toBeLessThan(60);

    const deep = await decode(await red.clone().toColourspace('rgb16').png().toBuffer(), target());
    expect(deep.layout).toBe('rgb-16bit');
    expect([...deep.pixels.subarray(0, 3)]).toEqual([255, 0, 0]);

    const gray = await decode(await red.clone().png().toBuffer(), target({ channels: 1 }));
    expect(gray.pixels.length).toBe(16 * 16);
    expect(gray.pixels[0]).toBeGreaterThan(100); // red has luminance
    expect(gray.pixels[0]).toBeLessThan(150);
  });

  it('a GIF decodes its first frame; BMP goes through bmp-ts with the right colours', async () => {
    const frames = Buffer.concat([Buffer.alloc(16 * 16 * 3, 255), Buffer.alloc(16 * 16 * 3, 0)]);
    const gif = await sharp(frames, { raw: { width: 16, height: 32, channels: 3, pageHeight: 16 } as never })
      .gif()
      .toBuffer();
    const first = await decode(gif, target());
    expect(Math.min(...first.pixels)).toBe(255);

    const bmp = await decode(make.bmp(3, 16, 16), target());
    expect(Buffer.from(bmp.pixels).equals(rgbPixels(16, 16, 3))).toBe(true);
  });

  it('refuses a bomb from its header and a too-small image, naming the reason', async () => {
    await expect(decode(await make.png(1, 300, 300), target({ maxPixels: 50_000 }))).rejects.toMatchObject({
      reason: 'too-many-pixels',
    });
    await expect(decode(await make.png(1, 6, 30), target())).rejects.toMatchObject({ reason: 'too-small' });
    await expect(decode((await make.jpeg(1, 64, 64)).subarray(0, 200), target())).rejects.toMatchObject({
      reason: 'corrupt',
    });
  });
});

describe('the fast PNG path decodes exactly as sharp does', () => {
  it.each([
    [
      'gray → 1 channel',
      () =>
        sharp(grayPixels(28, 28, 5), { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w'),
      28,
      1,
    ],
    [
      'gray → 3 channels',
      () =>
        sharp(grayPixels(32, 32, 6), { raw: { width: 32, height: 32, channels: 1 } }).toColourspace('b-w'),
      32,
      3,
    ],
    [
      'rgb → 3 channels',
      () => sharp(rgbPixels(32, 32, 7), { raw: { width: 32, height: 32, channels: 3 } }),
      32,
      3,
    ],
  ] as const)('%s', async (_name, build, size, channels) => {
    for (const options of [
      {},
      { compressionLevel: 0 },
      { compressionLevel: 9 },
      { adaptiveFiltering: true },
    ]) {
      const png = new Uint8Array(await build().png(options).toBuffer());
      const t = target({ size, channels, resizeMode: 'crop' });
      const fast = tryFastPng(png, t);
      expect(fast, JSON.stringify(options)).not.toBeNull();
      const slow = await decodeWithSharp(png, t);
      expect(Buffer.from(fast!.pixels).equals(Buffer.from(slow.pixels)), JSON.stringify(options)).toBe(true);
      expect(fast!.layout).toBe(slow.layout);
    }
  });

  it.each([1, 3] as const)(
    'undoes every PNG row filter (None, Sub, Up, Average, Paeth), %i channel(s)',
    async (channels) => {
      const px = channels === 1 ? grayPixels(30, 30, 9) : rgbPixels(30, 30, 9);
      const t = target({ size: 30, channels });
      for (let first = 0; first < 5; first++) {
        // every filter also gets a turn on the first row, which has no row above it
        const png = new Uint8Array(pngWithEveryFilter(px, 30, 30, channels, first));
        expect(Buffer.from(tryFastPng(png, t)!.pixels).equals(px), `first-row filter ${first}`).toBe(true);
        expect(Buffer.from((await decodeWithSharp(png, t)).pixels).equals(px)).toBe(true);
      }
    },
  );

  it('declines a damaged file (checksum) and leaves the verdict to sharp', async () => {
    const png = Buffer.from(
      await sharp(grayPixels(28, 28, 1), { raw: { width: 28, height: 28, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toBuffer(),
    );
    png[png.length - 20] = (png[png.length - 20] ?? 0) ^ 0xff; // inside IDAT
    expect(tryFastPng(png, target({ size: 28, channels: 1 }))).toBeNull();
  });

  it('declines what it cannot decode exactly: other sizes, alpha, palettes, 16 bits, interlacing, colour → gray', async () => {
    const t = target({ size: 28, channels: 3 });
    const rgb = sharp(rgbPixels(28, 28, 1), { raw: { width: 28, height: 28, channels: 3 } });
    expect(tryFastPng(await make.png(1, 20, 20), t)).toBeNull();
    expect(tryFastPng(await rgb.clone().ensureAlpha(0.5).png().toBuffer(), t)).toBeNull();
    expect(tryFastPng(await rgb.clone().png({ palette: true }).toBuffer(), t)).toBeNull();
    expect(tryFastPng(await rgb.clone().toColourspace('rgb16').png().toBuffer(), t)).toBeNull();
    expect(tryFastPng(await rgb.clone().png({ progressive: true }).toBuffer(), t)).toBeNull();
    expect(tryFastPng(await rgb.clone().withIccProfile('p3').png().toBuffer(), t)).toBeNull();
    expect(tryFastPng(await rgb.clone().png().toBuffer(), { ...t, channels: 1 })).toBeNull();
  });
});
