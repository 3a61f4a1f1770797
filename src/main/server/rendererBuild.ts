// Finds the built renderer for serve mode, building it first with vite's JS API when it is missing or
// older than its sources (a fresh clone has no build; `npm run serve` must still open the app). Several
// servers may start at once (tests, two terminals): a lock folder lets one build while the others wait.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface RendererBuildOptions {
  /** The project root (where vite.renderer.config.ts lives). */
  projectRoot: string;
  /** Skip the staleness check and use whatever build exists. */
  noRebuild?: boolean;
  log?: (line: string) => void;
  /** How long to wait for another process's build (default 10 min). */
  lockTimeoutMs?: number;
}

export const rendererConfigFile = 'vite.renderer.config.ts';

/** A lock older than this belongs to a build that died. */
const STALE_LOCK_MS = 5 * 60_000;

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

async function builtAt(outDir: string): Promise<number> {
  const info = await stat(join(outDir, 'index.html')).catch(() => null);
  return info?.mtimeMs ?? 0;
}

async function sourcesChangedAt(projectRoot: string): Promise<number> {
  return Math.max(
    await newestMtime(join(projectRoot, 'src', 'renderer')),
    await newestMtime(join(projectRoot, 'src', 'shared')),
    (await stat(join(projectRoot, rendererConfigFile)).catch(() => null))?.mtimeMs ?? 0,
  );
}

async function withBuildLock<T>(lockDir: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  await mkdir(resolve(lockDir, '..'), { recursive: true });
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
      const info = await stat(lockDir).catch(() => null);
      if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for another UI build (${lockDir})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/** Returns the folder holding the built renderer's index.html, building it when needed. */
export async function ensureRendererBuilt(options: RendererBuildOptions): Promise<string> {
  const { projectRoot, log = () => {} } = options;
  const outDir = await rendererOutDir(projectRoot);
  const configFile = join(projectRoot, rendererConfigFile);
  const isFresh = async () => {
    const built = await builtAt(outDir);
    return built > 0 && (options.noRebuild === true || built >= (await sourcesChangedAt(projectRoot)));
  };
  if (await isFresh()) return outDir;
  if (!existsSync(configFile)) {
    if ((await builtAt(outDir)) > 0) return outDir;
    throw new Error(`the UI is not built and ${rendererConfigFile} is missing, so it cannot be built`);
  }
  const lockDir = join(resolve(outDir, '..'), `.${rendererConfigFile}.lock`);
  return withBuildLock(lockDir, options.lockTimeoutMs ?? 10 * 60_000, async () => {
    // Another process may have built it while this one waited.
    if (await isFresh()) return outDir;
    log(
      (await builtAt(outDir)) > 0 ? 'UI sources changed: rebuilding the UI…' : 'building the UI (first run)…',
    );
    const { build } = await import('vite');
    await build({ configFile, logLevel: 'error', mode: 'production' });
    if ((await builtAt(outDir)) === 0)
      throw new Error(`the UI build finished but ${join(outDir, 'index.html')} is missing`);
    return outDir;
  });
}
