// What a file is, from its first bytes — never from its extension (a renamed .txt must not reach the decoder,
// and a PNG saved as .jpg is still a good image).

/** Formats we decode: sharp handles all but BMP, which goes through bmp-ts first. */
export type DecodableFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif' | 'bmp';

export type Sniffed =
  | { kind: 'image'; format: DecodableFormat }
  /** An image format we recognise but do not decode (HEIC needs a codec sharp's build lacks, SVG is vector…). */
  | { kind: 'unsupported'; format: string }
  | { kind: 'not-image'; what: string };

const ascii = (buf: Uint8Array, start: number, end: number): string =>
  String.fromCharCode(...buf.subarray(start, Math.min(end, buf.length)));

function startsWith(buf: Uint8Array, bytes: number[], at = 0): boolean {
  return bytes.every((b, i) => buf[at + i] === b);
}

function sniffIsoBmff(buf: Uint8Array): Sniffed | null {
  if (ascii(buf, 4, 8) !== 'ftyp') return null;
  const brands = ascii(buf, 8, 32);
  if (/avif|avis/.test(brands)) return { kind: 'image', format: 'avif' };
  if (/hei[cx]|hevc|mif1|msf1/.test(brands)) return { kind: 'unsupported', format: 'heic' };
  return { kind: 'not-image', what: 'a video or other ISO media file' };
}

export function sniffFormat(buf: Uint8Array): Sniffed {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { kind: 'image', format: 'png' };
  if (ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') return { kind: 'image', format: 'webp' };
  if (ascii(buf, 0, 6) === 'GIF87a' || ascii(buf, 0, 6) === 'GIF89a') return { kind: 'image', format: 'gif' };
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a]))
    return { kind: 'image', format: 'tiff' };
  if (startsWith(buf, [0x49, 0x49, 0x2b, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2b]))
    return { kind: 'image', format: 'tiff' }; // BigTIFF
  if (ascii(buf, 0, 2) === 'BM' && buf.length >= 26) return { kind: 'image', format: 'bmp' };
  const iso = sniffIsoBmff(buf);
  if (iso) return iso;

  if (ascii(buf, 0, 4) === '8BPS') return { kind: 'unsupported', format: 'psd' };
  if (startsWith(buf, [0x00, 0x00, 0x01, 0x00]) && buf.length > 6)
    return { kind: 'unsupported', format: 'ico' };
  if (startsWith(buf, [0xff, 0x0a]) || startsWith(buf, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20]))
    return { kind: 'unsupported', format: 'jpeg-xl' };
  if (startsWith(buf, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]))
    return { kind: 'unsupported', format: 'jpeg-2000' };
  if (/^P[1-7]\s/.test(ascii(buf, 0, 3))) return { kind: 'unsupported', format: 'netpbm' };
  if (ascii(buf, 0, 4) === 'qoif') return { kind: 'unsupported', format: 'qoi' };
  const head = ascii(buf, 0, 256).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg')))
    return { kind: 'unsupported', format: 'svg' };

  if (ascii(buf, 0, 4) === '%PDF') return { kind: 'not-image', what: 'a PDF document' };
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) return { kind: 'not-image', what: 'a zip archive' };
  if (startsWith(buf, [0x1f, 0x8b])) return { kind: 'not-image', what: 'a gzip file' };
  if (ascii(buf, 0, 4) === 'RIFF') return { kind: 'not-image', what: 'a RIFF media file' };
  return { kind: 'not-image', what: looksLikeText(buf) ? 'a text file' : 'an unknown binary file' };
}

function looksLikeText(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 512);
  for (let i = 0; i < n; i++) {
    const b = buf[i] ?? 0;
    if (b < 9 || (b > 13 && b < 32)) return false;
  }
  return true;
}
