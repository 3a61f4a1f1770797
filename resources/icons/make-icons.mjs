// Renders icon.svg to the PNGs electron-builder and the window use: icon.png (1024, for macOS and
// Windows conversion) and NxN.png sizes for Linux. Run: node resources/icons/make-icons.mjs
import sharp from 'sharp';
import { readFile } from 'node:fs/promises';

const here = new URL('.', import.meta.url);
const svg = await readFile(new URL('icon.svg', here));
const sizes = [16, 32, 48, 64, 128, 256, 512];

await sharp(svg, { density: 288 })
  .resize(1024, 1024)
  .png({ compressionLevel: 9, palette: true })
  .toFile(new URL('icon.png', here).pathname);
for (const size of sizes) {
  await sharp(svg, { density: 288 })
    .resize(size, size)
    .png({ compressionLevel: 9, palette: size >= 64 })
    .toFile(new URL(`${size}x${size}.png`, here).pathname);
}
console.log(JSON.stringify({ icons: ['icon.png', ...sizes.map((s) => `${s}x${s}.png`)] }));
