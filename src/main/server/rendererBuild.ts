// Finds the built renderer for serve mode, building it first with vite's JS API when it is missing or
// older than its sources (a fresh clone has no build; `npm run serve` must still open the app).
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface RendererBuildOptions {
  /** The project root (where vite.renderer.config.ts lives). */
  projectRoot: string;
  /** Skip the staleness check and use whatever build exists. */
  noRebuild?: boolean;
  log?: (line: string) => void;
}

export const rendererConfigFile = 'vite.renderer.config.ts';

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestMtime(full));
    else if (entry.isFile()) newest = Math.max(newest, (await stat(full)).mtimeMs);
  }
  return newest;
}

/** The folder the renderer build writes to, as its vite config says (default out/renderer). */
export async function rendererOutDir(projectRoot: string): Promise<string> {
  const configFile = join(projectRoot, rendererConfigFile);
  if (!existsSync(configFile)) return join(projectRoot, 'out', 'renderer');
  const { resolveConfig } = await import('vite');
  const config = await resolveConfig({ configFile, logLevel: 'silent' }, 'build', 'production');
  return resolve(config.root, config.build.outDir);
}

/** Returns the folder holding the built renderer's index.html, building it when needed. */
export async function ensureRendererBuilt(options: RendererBuildOptions): Promise<string> {
  const { projectRoot, log = () => {} } = options;
  const outDir = await rendererOutDir(projectRoot);
  const index = join(outDir, 'index.html');
  const configFile = join(projectRoot, rendererConfigFile);
  const built = existsSync(index) ? (await stat(index)).mtimeMs : 0;
  if (built > 0 && options.noRebuild) return outDir;
  const sources = Math.max(
    await newestMtime(join(projectRoot, 'src', 'renderer')),
    await newestMtime(join(projectRoot, 'src', 'shared')),
  );
  if (built > 0 && built >= sources) return outDir;
  if (!existsSync(configFile)) {
    if (built > 0) return outDir;
    throw new Error(`the renderer is not built and ${rendererConfigFile} is missing, so it cannot be built`);
  }
  log(built > 0 ? 'renderer sources changed: rebuilding the UI…' : 'building the UI (first run)…');
  const { build } = await import('vite');
  await build({ configFile, logLevel: 'warn', mode: 'production' });
  if (!existsSync(index)) throw new Error(`the renderer build finished but ${index} is missing`);
  return outDir;
}
