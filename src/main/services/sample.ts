// Where the bundled sample dataset lives when running from the source tree (the packaged app passes its
// own resources path instead).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function bundledSamplePath(): string {
  return fileURLToPath(new URL('../../../resources/sample/fashion-mnist', import.meta.url));
}

export function bundledSampleIfPresent(): string | null {
  const path = bundledSamplePath();
  return existsSync(path) ? path : null;
}
