// The shell: machine status said plainly, navigation by keyboard, theme switching.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import App from '../../../src/renderer/App.vue';
import { mountWithApi } from '../mountWithApi';
import { makeSystem } from '../fixtures';

afterEach(() => {
  document.body.innerHTML = '';
  location.hash = '';
});

const key = (k: string) => window.dispatchEvent(new KeyboardEvent('keydown', { key: k }));

describe('App shell', () => {
  it('shows the backend in use with its reason and lists missing pieces with their cost', async () => {
    const { wrapper } = await mountWithApi(App);
    const status = wrapper.get('[data-test="system-status"]');
    expect(status.get('[data-test="backend"]').text()).toBe(
      'WebAssembly · 2 threads — tfjs-node not installed: using wasm, 2 threads',
    );
    expect(status.get('[data-test="missing"] summary').text()).toBe('1 missing piece');
    expect(status.get('[data-test="missing"]').text()).toContain(
      'tfjs-node — training runs on WebAssembly, several times slower than native',
    );
  });

  it('flags plain CPU as slow and omits the missing list when nothing is missing', async () => {
    const { wrapper } = await mountWithApi(App, {
      state: {
        system: makeSystem({
          backend: { name: 'cpu', threads: 1, reason: 'wasm failed to load' },
          missing: [],
        }),
      },
    });
    expect(wrapper.get('[data-test="backend"]').classes()).toContain('warn');
    expect(wrapper.get('[data-test="backend"]').text()).toContain('plain CPU (slow) — wasm failed to load');
    expect(wrapper.find('[data-test="missing"]').exists()).toBe(false);
  });

  it('says when the services cannot be reached', async () => {
    const { wrapper } = await mountWithApi(App, {
      state: { failures: { 'system.info': { code: 'INTERNAL', message: 'lost the connection' } } },
    });
    expect(wrapper.get('[role="alert"]').text()).toContain(
      'Could not reach the PruneLab services: lost the connection',
    );
  });

  it('number keys switch views, but not while typing in a field', async () => {
    const { wrapper } = await mountWithApi(App);
    key('3');
    await flushPromises();
    expect(location.hash).toBe('#/runs');
    expect(wrapper.get('[data-test="nav-runs"]').attributes('aria-current')).toBe('page');
    const input = wrapper.get('input').element as HTMLInputElement;
    input.dispatchEvent(new KeyboardEvent('keydown', { key: '1', bubbles: true }));
    await flushPromises();
    expect(location.hash).toBe('#/runs');
    key('1');
    await flushPromises();
    expect(location.hash).toBe('#/datasets');
  });

  it('applies the theme to the document and toggles it', async () => {
    const { wrapper, fake } = await mountWithApi(App);
    expect(document.documentElement.dataset.theme).toBe('light');
    await wrapper.get('[data-test="theme-toggle"]').trigger('click');
    await flushPromises();
    expect(fake.calls.at(-1)).toEqual({ name: 'settings.set', payload: { theme: 'dark' } });
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
