// Carries out one of the desktop menu's commands ('app.command', pushed by Electron main; serve mode never
// sends it) for as long as the calling component lives.
import { onScopeDispose } from 'vue';
import type { AppCommand } from '../../shared/api';
import { useApi } from '../api/inject';

export function useAppCommand(command: AppCommand, run: () => void): void {
  const api = useApi();
  const off = api.on('app.command', (e) => {
    if (e.command === command) run();
  });
  onScopeDispose(off);
}
