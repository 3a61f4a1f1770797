// The main window: isolated, sandboxed, no Node in the page; shown when its first paint is ready, on a
// background matching the OS theme so there is no white flash in dark mode.
import type { BrowserWindowLike, ElectronMain, Rectangle, WebPreferencesLike } from './electronTypes';

export const DEFAULT_SIZE = { width: 1280, height: 820 };
export const MIN_SIZE = { width: 900, height: 600 };

export const themeBackground = { dark: '#16181d', light: '#ffffff' } as const;

export function backgroundFor(dark: boolean): string {
  return dark ? themeBackground.dark : themeBackground.light;
}

export function secureWebPreferences(preload: string): WebPreferencesLike {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    // A dropped folder becomes a file:// navigation, which the navigation guard cancels and imports.
    navigateOnDragDrop: true,
    spellcheck: false,
  };
}

export interface MainWindowOptions {
  preload: string;
  bounds: Rectangle | null;
  maximized: boolean;
  icon?: string;
}

export function createMainWindow(electron: ElectronMain, options: MainWindowOptions): BrowserWindowLike {
  const { nativeTheme } = electron;
  const window = new electron.BrowserWindow({
    show: false,
    ...(options.bounds ?? DEFAULT_SIZE),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'PruneLab',
    backgroundColor: backgroundFor(nativeTheme.shouldUseDarkColors),
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: secureWebPreferences(options.preload),
  });
  window.once('ready-to-show', () => {
    if (options.maximized) window.maximize();
    window.show();
  });
  nativeTheme.on('updated', () => {
    if (!window.isDestroyed()) window.setBackgroundColor(backgroundFor(nativeTheme.shouldUseDarkColors));
  });
  return window;
}
