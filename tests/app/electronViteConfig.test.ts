import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import electronViteConfig from '../../electron.vite.config';
import rendererConfig from '../../vite.renderer.config';

const root = join(import.meta.dirname, '..', '..');

async function config() {
  const resolved = typeof electronViteConfig === 'function' ? null : await electronViteConfig;
  if (!resolved?.main?.build || !resolved.preload?.build || !resolved.renderer?.build) {
    throw new Error('electron.vite.config.ts must configure main, preload and renderer builds');
  }
  return resolved as Required<typeof resolved>;
}

describe('the desktop build (electron.vite.config.ts)', () => {
  it('builds the Electron entry, the job worker and the parity child as main entries that exist', async () => {
    const { main } = await config();
    const input = main.build?.rollupOptions?.input as Record<string, string>;
    expect(Object.keys(input).sort()).toEqual(['index', 'parityChild', 'worker']);
    expect(input.index).toBe(join(root, 'src/main/app/index.ts'));
    for (const file of Object.values(input)) expect(existsSync(file), file).toBe(true);
    expect(main.build?.outDir).toBe(join(root, 'out/main'));
  });

  it('builds the preload as one CommonJS file with its dependencies bundled (sandbox)', async () => {
    const { preload } = await config();
    expect(preload.build?.externalizeDeps).toBe(false);
    const output = preload.build?.rollupOptions?.output as { format: string; entryFileNames: string };
    expect(output).toMatchObject({ format: 'cjs', entryFileNames: '[name].cjs' });
  });

  it('writes the renderer where the app and serve mode look for it', async () => {
    const { renderer } = await config();
    const serveBuild = (rendererConfig as { build: { outDir: string } }).build.outDir;
    expect(renderer.build?.outDir).toBe(join(root, 'out/renderer'));
    expect(serveBuild).toBe(join(root, 'out/renderer'));
    expect(renderer.base).toBe('./');
  });
});
