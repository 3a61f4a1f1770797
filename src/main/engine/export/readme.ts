import type { ExportFormat, WeightEncoding } from '../../../shared/dto';
import { parityRule } from '../../../shared/exportWords';
import type { PixelScaling } from './modelInput';

export const README_FILE = 'README.md';

export interface ReadmeFacts {
  format: ExportFormat;
  encoding: WeightEncoding;
  classes: string[];
  inputShape: [number, number, number];
  pixelScaling: PixelScaling;
  runId: string;
  appVersion: string;
}

/** A short README for the export folder and zip: what the files are and how to get a prediction. */
export function exportReadme(f: ReadmeFacts): string {
  const [h, w, c] = f.inputShape;
  const head = [
    `# PruneLab export — run ${f.runId}`,
    '',
    `Format: ${f.format === 'tfjs' ? 'TensorFlow.js LayersModel' : 'ONNX (opset 13)'}, weights: ${f.encoding}. Made by PruneLab ${f.appVersion}.`,
    `Input: ${h}×${w} ${c === 1 ? 'grayscale' : 'RGB'} images, ${f.pixelScaling.formula}. Output: one logit per class`,
    `(apply softmax for probabilities), in this order: ${f.classes.join(', ')}.`,
    'metadata.json has the class names, the resize mode, per-layer sparsity, sizes, the parity check and',
    'the sha256 of every file.',
    '',
    `Parity: before it was written, this export was loaded in a fresh process and run on up to 1,000 test`,
    `images; it passes with ${parityRule(f.encoding)}.`,
    '',
    ...(c === 1
      ? [
          'Colour images become gray the way PruneLab imported the training images: the luminance of linear',
          'light (Rec. 709: 0.2126 R + 0.7152 G + 0.0722 B after undoing the sRGB curve), re-encoded as sRGB',
          'and rounded to 8 bits. Taking one channel, or averaging R, G and B, gives the model other inputs.',
          '',
        ]
      : []),
  ];
  return [...head, ...(f.format === 'tfjs' ? tfjsExample(h, w, c) : onnxExample(h, w, c)), ''].join('\n');
}

/** The browser snippet's pixels → model input; gray models convert colour by luminance, as import does. */
export function tfjsInputLines(h: number, w: number, c: number): string[] {
  if (c !== 1)
    return [
      `const x = tf.browser.fromPixels(img, 3).toFloat().div(255).expandDims(0); // [1, ${h}, ${w}, 3]`,
    ];
  return [
    'const rgb = tf.browser.fromPixels(img, 3).toFloat().div(255);',
    'const linear = tf.where(rgb.lessEqual(0.04045), rgb.div(12.92), rgb.add(0.055).div(1.055).pow(2.4));',
    'const y = linear.mul(tf.tensor1d([0.2126, 0.7152, 0.0722])).sum(-1, true);',
    'const srgb = tf.where(y.lessEqual(0.0031308), y.mul(12.92), y.pow(1 / 2.4).mul(1.055).sub(0.055));',
    `const x = srgb.mul(255).round().div(255).expandDims(0); // [1, ${h}, ${w}, 1]`,
  ];
}

function tfjsExample(h: number, w: number, c: number): string[] {
  return [
    '## Browser',
    '',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    "const base = 'https://your.site/model/'; // this folder, served as static files",
    "const model = await tf.loadLayersModel(base + 'model.json');",
    "const metadata = await (await fetch(base + 'metadata.json')).json();",
    '// img: an <img>, <canvas> or ImageData already resized to the input size',
    ...tfjsInputLines(h, w, c),
    'const probs = tf.softmax(model.predict(x));',
    'console.log(metadata.classes[(await probs.argMax(-1).data())[0]]);',
    '```',
    '',
    '## Node',
    '',
    '```js',
    '// file:// URLs need @tensorflow/tfjs-node; plain @tensorflow/tfjs loads the same files over http://',
    "import * as tf from '@tensorflow/tfjs-node';",
    "const model = await tf.loadLayersModel('file://' + process.cwd() + '/model.json');",
    `const x = tf.zeros([1, ${h}, ${w}, ${c}]); // your pixels / 255, NHWC`,
    'model.predict(x).print();',
    '```',
  ];
}

function onnxExample(h: number, w: number, c: number): string[] {
  return [
    '## onnxruntime (Node)',
    '',
    'The graph takes `input` as float32 NCHW [N, C, H, W] and returns `logits` [N, classes].',
    '',
    '```js',
    "import * as ort from 'onnxruntime-node'; // onnxruntime-web has the same API in browsers",
    "const session = await ort.InferenceSession.create('model.onnx');",
    `const pixels = new Float32Array(1 * ${c} * ${h} * ${w}); // channel-first, each value pixel / 255`,
    `const { logits } = await session.run({ input: new ort.Tensor('float32', pixels, [1, ${c}, ${h}, ${w}]) });`,
    'console.log(logits.data);',
    '```',
    '',
    '## onnxruntime (Python)',
    '',
    '```python',
    'import numpy as np, onnxruntime as ort',
    "session = ort.InferenceSession('model.onnx')",
    `x = np.zeros((1, ${c}, ${h}, ${w}), np.float32)  # pixels / 255, NCHW`,
    "print(session.run(['logits'], {'input': x})[0])",
    '```',
  ];
}
