// npm run bench:import — the import doctor at Fashion-MNIST scale. Writes all 70,000 Fashion-MNIST images
// (Debian's dataset-fashion-mnist IDX files) as 28×28 PNG files in class folders once, under bench/out/,
// then, side by side in one run on the same warm files:
//   - PruneLab's import (walk, read, hash, sniff, decode, doctor, split, cache) in a fresh process,
//     with its peak RSS                                       — goals ≥ 3,000 images/s, < 1 GiB
//   - a plain Python PIL loop doing the same per-file work   — goal: PruneLab is faster
// Options: --limit N (only the first N images: the quick variant), --source <IDX folder>.
// The last line of stdout is one JSON object with the figures.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../src/main/engine/data/encodePng';
import { runPool } from '../src/main/engine/data/pool';
import { readIdxImages, readIdxLabels } from '../src/main/engine/data/idx';
import { fashionMnistClasses } from '../src/main/engine/data/knownClassNames';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const limit = Number(option('limit', '70000'));
const source = option('source', '/usr/share/datasets/fashion-mnist');
const outRoot = join(import.meta.dirname, 'out');
const pngRoot = join(outRoot, limit >= 70000 ? 'fashion-mnist-png' : `fashion-mnist-png-${limit}`);

async function writePngFolders(): Promise<number> {
  const marker = join(pngRoot, '.complete');
  if (existsSync(marker)) return Number(readFileSync(marker, 'utf8'));
  rmSync(pngRoot, { recursive: true, force: true });
  for (const c of fashionMnistClasses) mkdirSync(join(pngRoot, c), { recursive: true });
  let written = 0;
  for (const part of ['train', 't10k']) {
    const images = await readIdxImages(join(source, `${part}-images-idx3-ubyte.gz`));
    const labels = await readIdxLabels(join(source, `${part}-labels-idx1-ubyte.gz`));
    const side = images.height * images.width;
    const indices = Array.from({ length: Math.min(images.count, limit - written) }, (_, i) => i);
    await runPool(indices, 8, async (i) => {
      const png = await encodePng(
        images.pixels.subarray(i * side, (i + 1) * side),
        images.height,
        images.width,
        1,
      );
      const cls = fashionMnistClasses[labels[i] ?? 0] ?? String(labels[i]);
      writeFileSync(join(pngRoot, cls, `${part}-${String(i).padStart(5, '0')}.png`), png);
    });
    written += indices.length;
  }
  writeFileSync(marker, String(written));
  return written;
}

/** Reads every file once so both contenders start from the same warm page cache. */
function warmUp(): number {
  let bytes = 0;
  for (const c of readdirSync(pngRoot)) {
    if (c.startsWith('.')) continue;
    for (const f of readdirSync(join(pngRoot, c))) bytes += readFileSync(join(pngRoot, c, f)).length;
  }
  return bytes;
}

const images = await writePngFolders();
const bytes = warmUp();
console.log(`${images} PNG files (${(bytes / 2 ** 20).toFixed(1)} MiB) in ${pngRoot}`);

const dataDir = mkdtempSync(join(tmpdir(), 'prunelab-bench-import-'));
try {
  const child = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'importChild.ts'), pngRoot, dataDir],
    {
      encoding: 'utf8',
    },
  );
  const ours = JSON.parse(child.trim().split('\n').at(-1) ?? '{}') as {
    seconds: number;
    peakRssMiB: number;
    imported: number;
    skipped: number;
    reasons: Record<string, number>;
  };
  console.log(
    `PruneLab: ${ours.imported} imported, ${ours.skipped} left out ${JSON.stringify(ours.reasons)} in ${ours.seconds.toFixed(2)} s, peak RSS ${ours.peakRssMiB.toFixed(0)} MiB`,
  );

  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const pil = JSON.parse(
    execFileSync(python, [join(import.meta.dirname, 'pil_import.py'), pngRoot, '28', 'L'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .at(-1) ?? '{}',
  ) as { images: number; seconds: number };
  console.log(`PIL loop: ${pil.images} images in ${pil.seconds.toFixed(2)} s`);

  const figures = {
    images,
    seconds: Number(ours.seconds.toFixed(3)),
    imagesPerSecond: Math.round(images / ours.seconds),
    peakRssMiB: Math.round(ours.peakRssMiB),
    pilImagesPerSecond: Math.round(pil.images / pil.seconds),
  };
  console.log(JSON.stringify(figures));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
