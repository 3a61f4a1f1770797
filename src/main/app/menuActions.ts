// What the menu, a dropped folder and a second launch do, through native dialogs and the same
// `dispatch` the page uses — so every path is validated by the contract's schemas as well. Commands that
// depend on what is on screen (export the run being looked at, start a new run) are handed to the page.
import { join } from 'node:path';
import type { AppCommand } from '../../shared/api';
import type { RunSummary, Settings } from '../../shared/dto';
import type { Result } from '../../shared/errors';
import type { ServedApi } from '../server/types';
import { MAX_RECENT, type MenuActions } from './appMenu';
import { validateDatasetFolder } from './datasetPath';
import type { BrowserWindowLike, DialogLike } from './electronTypes';

export interface DesktopActionsDeps {
  api: ServedApi;
  dialog: DialogLike;
  window(): BrowserWindowLike | null;
  /** Hands a command to the page ('app.command'); false when no page can receive it. */
  sendCommand(command: AppCommand): boolean;
  revealFolder(path: string): void;
  dataDir: string;
  /** Called with the new list whenever the recent datasets change (the menu is rebuilt). */
  onRecentChanged(recent: string[]): void;
}

export interface DesktopActions extends MenuActions {
  /** Validates a folder (dropped, handed over, chosen) and starts its import. */
  importFolder(path: unknown): Promise<{ jobId: string } | null>;
}

function valueOr<T>(result: Result<unknown>): T | null {
  return result.ok ? (result.value as T) : null;
}

export function createDesktopActions(deps: DesktopActionsDeps): DesktopActions {
  const { api, dialog } = deps;

  async function tell(type: 'info' | 'error', message: string, detail?: string): Promise<void> {
    const window = deps.window();
    if (window)
      await dialog.showMessageBox(window, { type, message, ...(detail ? { detail } : {}), buttons: ['OK'] });
    else dialog.showErrorBox(message, detail ?? '');
  }

  async function rememberRecent(path: string): Promise<void> {
    const settings = valueOr<Settings>(await api.dispatch('settings.get', {}));
    const recent = [path, ...(settings?.recentDatasets ?? []).filter((p) => p !== path)].slice(0, MAX_RECENT);
    const saved = valueOr<Settings>(await api.dispatch('settings.set', { recentDatasets: recent }));
    if (saved) deps.onRecentChanged(saved.recentDatasets);
  }

  async function forgetRecent(path: string): Promise<void> {
    const settings = valueOr<Settings>(await api.dispatch('settings.get', {}));
    if (!settings) return;
    const saved = valueOr<Settings>(
      await api.dispatch('settings.set', {
        recentDatasets: settings.recentDatasets.filter((p) => p !== path),
      }),
    );
    if (saved) deps.onRecentChanged(saved.recentDatasets);
  }

  async function importFolder(path: unknown): Promise<{ jobId: string } | null> {
    const checked = await validateDatasetFolder(path);
    if (!checked.ok) {
      await tell('error', 'This cannot be imported as a dataset', checked.reason);
      return null;
    }
    const result = await api.dispatch('datasets.import', { path: checked.path });
    if (!result.ok) {
      await tell('error', 'The import could not start', result.error.message);
      return null;
    }
    await rememberRecent(checked.path);
    return result.value as { jobId: string };
  }

  async function chooseRun(runs: RunSummary[]): Promise<RunSummary | null> {
    if (runs.length === 1) return runs[0] ?? null;
    const window = deps.window();
    if (!window) return null;
    const shown = runs.slice(0, 6);
    const { response } = await dialog.showMessageBox(window, {
      type: 'question',
      message: 'Which model do you want to export?',
      buttons: [...shown.map((r) => r.name), 'Cancel'],
      cancelId: shown.length,
      defaultId: 0,
    });
    return shown[response] ?? null;
  }

  // The fallback when no page can take the command: pick run, format and folder in native dialogs.
  async function exportModelNatively(): Promise<void> {
    const window = deps.window();
    if (!window) return;
    const runs = valueOr<RunSummary[]>(await api.dispatch('runs.list', { status: 'done', limit: 20 })) ?? [];
    const exportable = runs.filter((r) => r.kind !== 'sensitivity');
    if (exportable.length === 0) {
      await tell('info', 'There is no finished model to export yet', 'Train or prune a model first.');
      return;
    }
    const run = await chooseRun(exportable);
    if (!run) return;
    const format = await dialog.showMessageBox(window, {
      type: 'question',
      message: `Export “${run.name}” as`,
      buttons: ['TensorFlow.js', 'ONNX', 'Cancel'],
      cancelId: 2,
      defaultId: 0,
    });
    if (format.response === 2) return;
    const chosen = await dialog.showOpenDialog(window, {
      title: 'Export the model into…',
      buttonLabel: 'Export here',
      properties: ['openDirectory', 'createDirectory'],
    });
    const folder = chosen.filePaths[0];
    if (chosen.canceled || folder === undefined) return;
    const formatName = format.response === 1 ? 'onnx' : 'tfjs';
    const payload = {
      runId: run.id,
      format: formatName,
      outDir: join(folder, `prunelab-${run.id}-${formatName}`),
    };
    let result = await api.dispatch('exports.create', payload);
    // An earlier PruneLab export there is replaced only when the user says so; anything else never is.
    if (!result.ok && (result.error.details as { existing?: string } | undefined)?.existing === 'export') {
      const { response } = await dialog.showMessageBox(window, {
        type: 'question',
        message: 'Replace the earlier export?',
        detail: result.error.message,
        buttons: ['Replace', 'Cancel'],
        cancelId: 1,
        defaultId: 1,
      });
      if (response !== 0) return;
      result = await api.dispatch('exports.create', { ...payload, overwrite: true });
    }
    if (!result.ok) await tell('error', 'The export could not start', result.error.message);
  }

  return {
    importFolder,
    importDataset: () => {
      const window = deps.window();
      if (!window) return;
      void dialog
        .showOpenDialog(window, {
          title: 'Import a dataset folder (one sub-folder per class)',
          buttonLabel: 'Import',
          properties: ['openDirectory'],
        })
        .then(async ({ canceled, filePaths }) => {
          if (!canceled && filePaths[0] !== undefined) await importFolder(filePaths[0]);
        });
    },
    openRecent: (path) => {
      void validateDatasetFolder(path).then(async (checked) => {
        if (checked.ok) {
          await importFolder(checked.path);
          return;
        }
        await tell('error', 'This recent dataset is no longer available', checked.reason);
        await forgetRecent(path);
      });
    },
    newRun: () => void deps.sendCommand('new-run'),
    exportModel: () => {
      if (!deps.sendCommand('export-model')) void exportModelNatively();
    },
    openDataFolder: () => deps.revealFolder(deps.dataDir),
  };
}
