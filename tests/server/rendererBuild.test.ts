// Serve mode builds the UI when it is missing or stale — here on a tiny stand-in project, so the test
// exercises the real vite build in about a second.
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureRendererBuilt, rendererOutDir } from '../../src/main/server/rendererBuild';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'prunelab-uibuild-'));
  await mkdir(join(root, 'src', 'renderer'), { recursive: true });
  await mkdir(join(root, 'src', 'shared'), { recursive: true });
  await writeFile(
    join(root, 'vite.renderer.config.ts'),
    `import { fileURLToPath } from 'node:url';
export default {
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  build: { outDir: fileURLToPath(new URL('./out/ui', import.meta.url)), emptyOutDir: true, minify: false },
};
`,
  );
  await writeFile(
    join(root, 'src', 'renderer', 'index.html'),
    '<!doctype html><script type="module" src="./main.js"></script>',
  );
  await writeFile(join(root, 'src', 'renderer', 'main.js'), 'document.title = "first";');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('building the UI for serve mode', () => {
  it('reads the output folder from the renderer vite config', async () => {
    expect(await rendererOutDir(root)).toBe(join(root, 'out', 'ui'));
  });

  it('builds when missing, reuses a fresh build, and rebuilds after a source changes', async () => {
    const logs: string[] = [];
    const log = (line: string) => logs.push(line);
    const outDir = await ensureRendererBuilt({ projectRoot: root, log });
    expect(outDir).toBe(join(root, 'out', 'ui'));
    expect(await readFile(join(outDir, 'index.html'), 'utf8')).toContain('<script');
    expect(logs).toEqual(['building the UI (first run)…']);

    await ensureRendererBuilt({ projectRoot: root, log });
    expect(logs).toHaveLength(1);

    const main = join(root, 'src', 'renderer', 'main.js');
    await writeFile(main, 'document.title = "second";');
    const later = new Date(Date.now() + 5_000);
    await utimes(main, later, later);
    await ensureRendererBuilt({ projectRoot: root, log });
    expect(logs).toEqual(['building the UI (first run)…', 'UI sources changed: rebuilding the UI…']);
  });

  it('builds once when two servers start at the same time', async () => {
    const logs: string[] = [];
    const log = (line: string) => logs.push(line);
    const [a, b] = await Promise.all([
      ensureRendererBuilt({ projectRoot: root, log }),
      ensureRendererBuilt({ projectRoot: root, log }),
    ]);
    expect(a).toBe(b);
    expect(logs).toEqual(['building the UI (first run)…']);
  });

  it('says clearly when there is neither a build nor a config to build with', async () => {
    await rm(join(root, 'vite.renderer.config.ts'));
    await expect(ensureRendererBuilt({ projectRoot: root })).rejects.toThrow(
      /not built.*vite\.renderer\.config\.ts/,
    );
  });
});
