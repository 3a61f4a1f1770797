// Builds the preload exactly as electron.vite.config.ts says and runs it the way Electron's sandbox
// does: CommonJS, with a `require` that offers electron and nothing else.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import electronViteConfig from '../../electron.vite.config';
import type { Bridge } from '../../src/shared/api';
import { requestNames } from '../../src/shared/api';

const outDir = await mkdtemp(join(tmpdir(), 'prunelab-preload-'));

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('the built preload', () => {
  it('is one CommonJS file that requires only electron and exposes the bridge in a sandbox', async () => {
    const config = typeof electronViteConfig === 'function' ? null : await electronViteConfig;
    const preload = config?.preload?.build;
    if (!preload?.rollupOptions) throw new Error('electron.vite.config.ts has no preload build');
    expect(preload.externalizeDeps).toBe(false);
    const { externalizeDeps: _ignored, ...buildOptions } = preload;
    await build({
      configFile: false,
      logLevel: 'silent',
      build: { ...buildOptions, outDir, emptyOutDir: true, minify: false, ssr: true, target: 'node20' },
      ssr: { noExternal: true },
    });
    const code = await readFile(join(outDir, 'index.cjs'), 'utf8');
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));

    let exposed: { key: string; api: Bridge } | null = null;
    const sandboxRequire = (name: string) => {
      if (name !== 'electron') throw new Error(`module not found: ${name}`);
      return {
        contextBridge: { exposeInMainWorld: (key: string, api: Bridge) => (exposed = { key, api }) },
        ipcRenderer: {
          invoke: async () => ({ ok: true, value: null }),
          on: () => undefined,
          removeListener: () => undefined,
        },
      };
    };
    const module = { exports: {} };
    runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console });
    const result = exposed as { key: string; api: Bridge } | null;
    expect(result?.key).toBe('prunelab');
    expect(Object.keys(result?.api.requests ?? {}).sort()).toEqual([...requestNames].sort());
  });
});
