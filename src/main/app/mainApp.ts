// The Electron main process, composed from small parts and given Electron itself as a dependency
// (createMainApp({ electron, ... })) so tests drive the whole wiring with a fake.
import { join } from 'node:path';
import type { Settings } from '../../shared/dto';
import type { WorkerLauncher } from '../jobs/launcher';
import type { ServedApi } from '../server/types';
import { buildMenuTemplate } from './appMenu';
import { APP_ORIGIN, APP_START_URL, handleAppProtocol, registerAppScheme } from './appProtocol';
import { appContentSecurityPolicy } from './csp';
import { datasetPathFromArgv } from './datasetPath';
import type { BrowserWindowLike, ElectronMain } from './electronTypes';
import { forwardEvents, originOf, registerIpcHandlers, sendEvent } from './ipcBridge';
import { reportJobProgress } from './jobProgress';
import { createDesktopActions, type DesktopActions } from './menuActions';
import { denyAllPermissions, guardWebContents } from './navigationGuard';
import { createMainWindow } from './secureWindow';
import { createUtilityLauncher } from './utilityLauncher';
import { fitToDisplays, loadWindowState, saveWindowState } from './windowState';

export interface DesktopServices extends ServedApi {
  close(): Promise<void>;
}

export interface CreateServicesOptions {
  dataDir: string;
  launcher: WorkerLauncher;
  reveal(path: string): Promise<boolean>;
}

export interface MainAppOptions {
  electron: ElectronMain;
  createServices(options: CreateServicesOptions): Promise<DesktopServices>;
  dataDir: string;
  /** Built preload script (CommonJS, for the sandbox). */
  preloadPath: string;
  /** Built renderer folder served at app://prunelab/. */
  rendererDir: string;
  /** electron-vite's dev server (ELECTRON_RENDERER_URL); ignored unless the app runs unpackaged. */
  devServerUrl: string | null;
  /** The job worker entry run in a utilityProcess. */
  workerEntry: string;
  argv: readonly string[];
  cwd: string;
  platform: NodeJS.Platform;
  iconPath?: string;
  now?: () => number;
}

export interface MainApp {
  /** Resolves false when another instance holds the lock (this one quits and hands over its path). */
  start(): Promise<boolean>;
  readonly window: BrowserWindowLike | null;
  readonly actions: DesktopActions | null;
  /** Settles when the quit sequence (jobs stopped, database closed) has finished. */
  readonly shutdown: Promise<void> | null;
}

export function createMainApp(options: MainAppOptions): MainApp {
  const { electron, dataDir } = options;
  const { app } = electron;
  // A dev server is a development tool only: an installed build never loads (or trusts) a page named
  // by its environment (ELECTRON_RENDERER_URL), whoever set it.
  const devServerUrl = app.isPackaged ? null : options.devServerUrl;
  const trustedOrigins = [APP_ORIGIN, ...(devServerUrl ? [originOf(devServerUrl) ?? ''] : [])];
  const windowStateFile = join(dataDir, 'window-state.json');
  let window: BrowserWindowLike | null = null;
  let services: DesktopServices | null = null;
  let actions: DesktopActions | null = null;
  let shutdown: Promise<void> | null = null;
  let readyToQuit = false;
  const cleanups: (() => void)[] = [];
  const pendingPaths: string[] = [];

  const setMenu = (recentDatasets: readonly string[]) => {
    if (!actions) return;
    const template = buildMenuTemplate(
      { platform: options.platform, recentDatasets, devTools: !app.isPackaged },
      actions,
    );
    electron.Menu.setApplicationMenu(electron.Menu.buildFromTemplate(template));
  };

  const importPath = (path: string) => {
    if (actions) void actions.importFolder(path);
    else pendingPaths.push(path);
  };

  const focusWindow = () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  };

  async function openWindow(): Promise<void> {
    const saved = await loadWindowState(windowStateFile);
    const bounds = saved
      ? fitToDisplays(
          saved.bounds,
          electron.screen.getAllDisplays().map((d) => d.workArea),
        )
      : null;
    const created = createMainWindow(electron, {
      preload: options.preloadPath,
      bounds,
      maximized: saved?.maximized ?? false,
      ...(options.iconPath ? { icon: options.iconPath } : {}),
    });
    window = created;
    created.on('close', () => {
      void saveWindowState(windowStateFile, {
        bounds: created.getNormalBounds(),
        maximized: created.isMaximized(),
      }).catch(() => undefined);
    });
    created.on('closed', () => {
      if (window === created) window = null;
    });
    await created.loadURL(devServerUrl ?? APP_START_URL);
  }

  async function stopEverything(): Promise<void> {
    for (const cleanup of cleanups.splice(0)) cleanup();
    // Kills running workers (their runs become resumable) and closes the database.
    await services?.close();
  }

  function start(): Promise<boolean> {
    const handedPath = datasetPathFromArgv(options.argv, app.isPackaged, options.cwd);
    if (!app.requestSingleInstanceLock(handedPath ? { datasetPath: handedPath } : {})) {
      app.quit();
      return Promise.resolve(false);
    }
    registerAppScheme(electron.protocol);
    if (handedPath) pendingPaths.push(handedPath);

    app.on('second-instance', (_event, argv, cwd, additionalData) => {
      focusWindow();
      const fromData = (additionalData as { datasetPath?: unknown } | null)?.datasetPath;
      const path = typeof fromData === 'string' ? fromData : datasetPathFromArgv(argv, app.isPackaged, cwd);
      if (path) importPath(path);
    });
    app.on('open-file', (event, path) => {
      event.preventDefault();
      focusWindow();
      importPath(path);
    });
    app.on('web-contents-created', (_event, contents) =>
      guardWebContents(contents, {
        trustedOrigins,
        openExternal: (url) => void electron.shell.openExternal(url),
        onPathDropped: importPath,
      }),
    );
    app.on('window-all-closed', () => {
      if (options.platform !== 'darwin') app.quit();
    });
    app.on('activate', () => {
      if (!window && services) void openWindow();
    });
    app.on('before-quit', (event) => {
      if (readyToQuit) return;
      event.preventDefault();
      shutdown ??= stopEverything()
        .catch(() => undefined)
        .finally(() => {
          readyToQuit = true;
          app.quit();
        });
    });

    return (async () => {
      await app.whenReady();
      const session = electron.session.defaultSession;
      denyAllPermissions(session);
      const csp = appContentSecurityPolicy(devServerUrl);
      handleAppProtocol(electron.protocol, options.rendererDir, csp);
      if (devServerUrl) {
        session.webRequest.onHeadersReceived((details, callback) =>
          callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } }),
        );
      }
      try {
        services = await options.createServices({
          dataDir,
          launcher: createUtilityLauncher(electron.utilityProcess, options.workerEntry),
          reveal: async (path) => {
            electron.shell.showItemInFolder(path);
            return true;
          },
        });
      } catch (err) {
        electron.dialog.showErrorBox(
          'PruneLab cannot start',
          `${(err as Error).message}\n\nData folder: ${dataDir}`,
        );
        readyToQuit = true;
        app.exit(1);
        return true;
      }
      const api = services;
      const webContentsId = () => (window && !window.isDestroyed() ? window.webContents.id : null);
      cleanups.push(
        registerIpcHandlers(electron.ipcMain, api, { trustedWebContentsId: webContentsId, trustedOrigins }),
      );
      cleanups.push(forwardEvents(api, () => (window && !window.isDestroyed() ? window.webContents : null)));
      cleanups.push(
        reportJobProgress({
          subscribe: api.subscribe,
          window: () => window,
          notify: (title, body) => {
            if (electron.Notification.isSupported()) new electron.Notification({ title, body }).show();
          },
          ...(options.now ? { now: options.now } : {}),
        }),
      );
      actions = createDesktopActions({
        api,
        dialog: electron.dialog,
        window: () => window,
        sendCommand: (command) => {
          if (!window || window.isDestroyed() || window.webContents.isDestroyed()) return false;
          sendEvent(window.webContents, 'app.command', { command });
          return true;
        },
        revealFolder: (path) => electron.shell.showItemInFolder(path),
        dataDir,
        onRecentChanged: setMenu,
      });
      const settings = await api.dispatch('settings.get', {});
      setMenu(settings.ok ? (settings.value as Settings).recentDatasets : []);
      await openWindow();
      for (const path of pendingPaths.splice(0)) void actions.importFolder(path);
      return true;
    })();
  }

  return {
    start,
    get window() {
      return window;
    },
    get actions() {
      return actions;
    },
    get shutdown() {
      return shutdown;
    },
  };
}
