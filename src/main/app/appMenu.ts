// The application menu: File (import, recent datasets 1–9, export, quit), Edit, View, Window, Help,
// with the platform's standard roles and shortcuts.
import { basename } from 'node:path';
import type { MenuItemOptionsLike } from './electronTypes';

export interface MenuActions {
  importDataset(): void;
  newRun(): void;
  openRecent(path: string): void;
  exportModel(): void;
  openDataFolder(): void;
}

export interface MenuState {
  platform: NodeJS.Platform;
  recentDatasets: readonly string[];
  /** Developer tools only outside packaged builds. */
  devTools: boolean;
}

export const MAX_RECENT = 9;

export function buildMenuTemplate(state: MenuState, actions: MenuActions): MenuItemOptionsLike[] {
  const mac = state.platform === 'darwin';
  const recent = state.recentDatasets.slice(0, MAX_RECENT);
  const file: MenuItemOptionsLike = {
    label: 'File',
    submenu: [
      { label: 'New run…', accelerator: 'CmdOrCtrl+N', click: () => actions.newRun() },
      { label: 'Import dataset…', accelerator: 'CmdOrCtrl+O', click: () => actions.importDataset() },
      {
        label: 'Open recent',
        submenu:
          recent.length === 0
            ? [{ label: 'No recent datasets', enabled: false }]
            : recent.map((path, i) => ({
                label: `${i + 1}  ${basename(path)} — ${path}`,
                accelerator: `CmdOrCtrl+${i + 1}`,
                click: () => actions.openRecent(path),
              })),
      },
      { type: 'separator' },
      { label: 'Export model…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportModel() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit', label: 'Quit', accelerator: 'Ctrl+Q' },
    ],
  };
  const view: MenuItemOptionsLike = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      { role: 'forceReload' },
      ...(state.devTools ? [{ role: 'toggleDevTools' }] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemOptionsLike = {
    role: 'help',
    submenu: [
      { label: 'Open data folder', click: () => actions.openDataFolder() },
      ...(mac ? [] : [{ role: 'about' }]),
    ],
  };
  return [
    ...(mac ? [{ role: 'appMenu' }] : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
    help,
  ];
}
