// Applies the effective theme (settings.theme, or the OS preference) to the document root.
import { onScopeDispose, watchEffect } from 'vue';
import { useSettingsStore } from '../stores/settings';

export function useTheme(options: { root?: HTMLElement; media?: (q: string) => MediaQueryList | null } = {}) {
  const settings = useSettingsStore();
  const root = options.root ?? document.documentElement;
  const media = (
    options.media ?? ((q: string) => (typeof window.matchMedia === 'function' ? window.matchMedia(q) : null))
  )('(prefers-color-scheme: dark)');
  if (media) {
    settings.osPrefersDark = media.matches;
    const onChange = (e: MediaQueryListEvent) => (settings.osPrefersDark = e.matches);
    media.addEventListener('change', onChange);
    onScopeDispose(() => media.removeEventListener('change', onChange));
  }
  watchEffect(() => {
    root.dataset.theme = settings.effectiveTheme;
  });
}
