// The README shipped with an export: its browser snippet gives a gray model the inputs import gave it
// (colour → gray by luminance, exactly as sharp converted the training images), and it states the parity
// rule the export passed.
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportReadme, tfjsInputLines } from '../../../src/main/engine/export/readme';
import { PIXEL_SCALING } from '../../../src/main/engine/export/modelInput';

const facts = (c: number, encoding: 'float32' | 'uint8', format: 'tfjs' | 'onnx' = 'tfjs') => ({
  format,
  encoding,
  classes: ['a', 'b'],
  inputShape: [4, 4, c] as [number, number, number],
  pixelScaling: PIXEL_SCALING,
  runId: 'r1',
  appVersion: '0.0.0',
});

/** Runs the snippet's input lines with `tf.browser.fromPixels` answering these RGB pixels. */
function runSnippet(lines: string[], rgb: Uint8Array, h: number, w: number): Float32Array {
  const fakeTf = { ...tf, browser: { fromPixels: () => tf.tensor3d(rgb, [h, w, 3], 'int32') } };
  return tf.tidy(() => {
    const x = new Function('tf', 'img', `${lines.join('\n')}\nreturn x;`)(fakeTf, null) as tf.Tensor;
    expect(x.shape).toEqual([1, h, w, lines.length > 1 ? 1 : 3]);
    return x.dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => tf.disposeVariables());

describe('the export README', () => {
  it('turns colour into gray the way the import did (sharp, linear-light luminance) for a gray model', async () => {
    // every primary and secondary colour, grays, and some mixed colours
    const colours = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 0],
      [0, 255, 255],
      [255, 0, 255],
      [0, 0, 0],
      [255, 255, 255],
      [128, 128, 128],
      [200, 100, 50],
      [12, 34, 56],
      [250, 240, 10],
      [90, 10, 200],
      [33, 66, 99],
      [180, 200, 220],
      [64, 32, 16],
    ];
    const rgb = Uint8Array.from(colours.flat());
    const gray = await sharp(Buffer.from(rgb), { raw: { width: 4, height: 4, channels: 3 } })
      .toColourspace('b-w')
      .raw()
      .toBuffer();
    const fromSnippet = runSnippet(tfjsInputLines(4, 4, 1), rgb, 4, 4);
    const levels = Array.from(fromSnippet, (v) => Math.round(v * 255));
    const diffs = levels.map((v, i) => Math.abs(v - gray[i]!));
    expect(Math.max(...diffs)).toBeLessThanOrEqual(1);
    // the naive conversions the README warns against differ by far more
    const firstChannel = colours.map(([r]) => r!);
    expect(Math.max(...firstChannel.map((v, i) => Math.abs(v - gray[i]!)))).toBeGreaterThan(50);
  });

  it('passes colour through for an RGB model, scaled to 0..1', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 128, 255, 10, 20, 30, 40, 50, 60]);
    const x = runSnippet(tfjsInputLines(2, 2, 3), rgb, 2, 2);
    expect(Array.from(x)).toEqual(Array.from(rgb, (v) => Math.fround(v / 255)));
  });

  it('puts the luminance snippet and its explanation only in a gray model’s README', () => {
    const gray = exportReadme(facts(1, 'float32'));
    expect(gray).toContain('0.2126 R + 0.7152 G + 0.0722 B');
    expect(gray).toContain(tfjsInputLines(28, 28, 1)[2]);
    const colour = exportReadme(facts(3, 'float32'));
    expect(colour).not.toContain('luminance');
    expect(colour).toContain('tf.browser.fromPixels(img, 3).toFloat().div(255)');
  });

  it('states the parity rule the export passed, with its threshold', () => {
    expect(exportReadme(facts(1, 'uint8'))).toContain('top-1 agreement of at least 90%');
    expect(exportReadme(facts(3, 'float32', 'onnx'))).toContain("every logit within 0.0001 of the app's");
  });
});
