// sharp/libvips errors in a user's words: the first line that says something, without libvips' prefixes.
import { describe, expect, it } from 'vitest';
import { classifyDecodeError } from '../../../src/main/engine/data/imageProblem';

describe('classifyDecodeError', () => {
  it('strips the prefixes and keeps the first line', () => {
    const p = classifyDecodeError(
      new Error('VipsJpeg: premature end of JPEG image\nVipsJpeg: out of order read'),
    );
    expect([p.reason, p.message]).toEqual(['corrupt', 'premature end of JPEG image']);
  });

  it('skips empty lines a shared libvips error buffer can lead with', () => {
    const p = classifyDecodeError(new Error('\n  \nVipsJpeg: premature end of JPEG image\n'));
    expect(p.message).toBe('premature end of JPEG image');
  });

  it('says "decoding failed" only when no line says anything, and maps the pixel limit', () => {
    expect(classifyDecodeError(new Error('\n\n')).message).toBe('decoding failed');
    expect(classifyDecodeError(new Error('Input image exceeds pixel limit')).reason).toBe('too-many-pixels');
  });
});
