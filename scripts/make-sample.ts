// Builds resources/sample/ — the bundled dataset — from Debian's dataset-fashion-mnist package:
// the first 300 training images of each class as 28×28 grayscale PNGs in one folder per class,
// plus the dataset's MIT licence. Deterministic: rerunning it writes the same bytes.
//   npx tsx scripts/make-sample.ts [/usr/share/datasets/fashion-mnist] [perClass=300]
import { mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseIdxImages, parseIdxLabels, readMaybeGzipped } from '../src/main/engine/data/idx';
import { fashionMnistClasses } from '../src/main/engine/data/knownClassNames';

const sourceDir = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const perClass = Number(process.argv[3] ?? 300);
const outRoot = join(import.meta.dirname, '..', 'resources', 'sample');
const datasetDir = join(outRoot, 'fashion-mnist');

const images = parseIdxImages(await readMaybeGzipped(join(sourceDir, 'train-images-idx3-ubyte.gz')));
const labels = parseIdxLabels(await readMaybeGzipped(join(sourceDir, 'train-labels-idx1-ubyte.gz')));
const side = images.height * images.width;

await rm(datasetDir, { recursive: true, force: true });
const written = new Array<number>(fashionMnistClasses.length).fill(0);
for (const name of fashionMnistClasses) await mkdir(join(datasetDir, name), { recursive: true });

let bytes = 0;
for (let i = 0; i < images.count && written.some((n) => n < perClass); i++) {
  const label = labels[i] ?? 0;
  const n = written[label] ?? 0;
  if (n >= perClass) continue;
  const pixels = images.pixels.subarray(i * side, (i + 1) * side);
  const png = await sharp(pixels, { raw: { width: images.width, height: images.height, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 9, adaptiveFiltering: true })
    .toBuffer();
  const file = join(
    datasetDir,
    fashionMnistClasses[label] ?? String(label),
    `${String(i).padStart(5, '0')}.png`,
  );
  await writeFile(file, png);
  bytes += png.length;
  written[label] = n + 1;
}

const copyright = await readFile('/usr/share/doc/dataset-fashion-mnist/copyright', 'utf8').catch(() => '');
const licence = [
  'The images in fashion-mnist/ are a subset of Fashion-MNIST',
  '(https://github.com/zalandoresearch/fashion-mnist), Copyright (c) 2017 Zalando SE,',
  'used under the MIT licence:',
  '',
  'The MIT License (MIT)',
  '',
  'Copyright (c) 2017 Zalando SE, https://tech.zalando.com',
  '',
  'Permission is hereby granted, free of charge, to any person obtaining a copy of this software and',
  'associated documentation files (the "Software"), to deal in the Software without restriction,',
  'including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense,',
  'and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so,',
  'subject to the following conditions:',
  '',
  'The above copyright notice and this permission notice shall be included in all copies or substantial',
  'portions of the Software.',
  '',
  'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT',
  'LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN',
  'NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,',
  'WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE',
  'SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.',
  '',
];
if (!copyright.includes('Zalando'))
  console.warn('note: Debian copyright file not found; writing the licence from memory');
await writeFile(join(outRoot, 'LICENSE-fashion-mnist.txt'), licence.join('\n'));
await writeFile(
  join(outRoot, 'README.md'),
  [
    '# Bundled sample dataset',
    '',
    `\`fashion-mnist/\`: ${perClass} images per class × ${fashionMnistClasses.length} classes of Fashion-MNIST,`,
    '28×28 grayscale PNG, one folder per class (the first images of each class in the training set).',
    'It is the default dataset of `npm run demo`, the app\'s "try it" button and the tests.',
    'Regenerate with `npx tsx scripts/make-sample.ts`. Licence: LICENSE-fashion-mnist.txt (MIT).',
    '',
  ].join('\n'),
);
console.log(JSON.stringify({ images: written.reduce((a, b) => a + b, 0), bytes }));
