// electron-vite build of the desktop app: main (the Electron entry, the job worker run in a
// utilityProcess, the export parity child), preload (CommonJS, everything bundled: a sandboxed preload can require only
// electron), and the renderer (the same settings serve mode builds with, vite.renderer.config.ts).
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // Native and optional modules (better-sqlite3, sharp, tfjs-node, onnxruntime-node, electron)
      // stay in node_modules, unpacked from the asar by electron-builder.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(root, 'src/main/app/index.ts'),
          worker: resolve(root, 'src/main/jobs/worker.ts'),
          // The export parity check runs this in a fresh process (engine/export/parity.ts finds it
          // beside its chunk or one folder up).
          parityChild: resolve(root, 'src/main/engine/export/parityChild.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      target: 'es2022',
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      chunkSizeWarningLimit: 1500,
      rollupOptions: { input: resolve(root, 'src/renderer/index.html') },
    },
  },
});
