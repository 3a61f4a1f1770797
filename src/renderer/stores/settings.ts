// App settings and what the services say about this machine (mode, backend, missing pieces).
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Settings, SystemInfo, Theme } from '../../shared/dto';
import { useApi } from '../api/inject';

export const useSettingsStore = defineStore('settings', () => {
  const api = useApi();
  const settings = ref<Settings | null>(null);
  const system = ref<SystemInfo | null>(null);
  /** Follows the OS when settings.theme is 'system'; set by useTheme. */
  const osPrefersDark = ref(false);

  const theme = computed<Theme>(() => settings.value?.theme ?? 'system');
  const effectiveTheme = computed<'dark' | 'light'>(() =>
    theme.value === 'system' ? (osPrefersDark.value ? 'dark' : 'light') : theme.value,
  );

  async function load() {
    const [s, info] = await Promise.all([api.call('settings.get', {}), api.call('system.info', {})]);
    settings.value = s;
    system.value = info;
  }

  async function setTheme(next: Theme) {
    settings.value = await api.call('settings.set', { theme: next });
  }

  /** The queue jobs go to from the next start (null: this machine). */
  async function setQueueUrl(url: string | null) {
    settings.value = await api.call('settings.set', { queueUrl: url });
  }

  return { settings, system, osPrefersDark, theme, effectiveTheme, load, setTheme, setQueueUrl };
});
