// Keyboard shortcuts for one view, removed when the view unmounts. Keys typed into a field are left alone.
import { onScopeDispose } from 'vue';

export type ShortcutMap = Record<string, (e: KeyboardEvent) => void>;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Keys are KeyboardEvent.key values, optionally prefixed with "Alt+" or "Mod+" (Ctrl or ⌘). */
export function useShortcuts(options: { keys: ShortcutMap; target?: Window }) {
  const target = options.target ?? window;
  const handler = (e: KeyboardEvent) => {
    const prefix = e.altKey ? 'Alt+' : e.ctrlKey || e.metaKey ? 'Mod+' : '';
    const action = options.keys[prefix + e.key];
    if (!action) return;
    if (!prefix && isTyping(e.target) && e.key !== 'Escape') return;
    e.preventDefault();
    action(e);
  };
  target.addEventListener('keydown', handler as EventListener);
  onScopeDispose(() => target.removeEventListener('keydown', handler as EventListener));
}
