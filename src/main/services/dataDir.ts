// Where PruneLab keeps its database, dataset caches and runs: --data-dir > PRUNELAB_HOME > the OS
// app-data folder. The desktop app, serve mode and the CLI resolve it the same way, so they share one store.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export interface ResolveDataDirOptions {
  /** The --data-dir flag, if given (relative paths resolve against cwd). */
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  cwd?: string;
}

export const APP_FOLDER = 'PruneLab';

export function resolveDataDir(options: ResolveDataDirOptions): string {
  const cwd = options.cwd ?? process.cwd();
  const chosen = nonEmpty(options.flag) ?? nonEmpty(options.env.PRUNELAB_HOME);
  if (chosen) return isAbsolute(chosen) ? resolve(chosen) : resolve(cwd, chosen);
  return osAppDataDir(options.platform ?? process.platform, options.env, options.home ?? homedir());
}

/** The folder Electron's app.getPath('userData') would pick, without importing electron. */
export function osAppDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'win32')
    return join(nonEmpty(env.APPDATA) ?? join(home, 'AppData', 'Roaming'), APP_FOLDER);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_FOLDER);
  return join(nonEmpty(env.XDG_CONFIG_HOME) ?? join(home, '.config'), APP_FOLDER);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}
